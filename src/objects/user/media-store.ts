// The media this user uploaded, kept by the uploader's own object: one row per
// upload (its kind, sniffed type, size, state, and a multipart upload's parts)
// and one row per message that refers to it (`media_refs`, since user schema
// step 23: the chat's key and the send's key, sender and clientId, so that a
// retried send grants once). The chats that may read it are the chats of its
// rows. The bytes are in R2 under mediaKey(id).
//
// Rows written: an upload, one (a multipart one, one more per part); a
// message that refers to it, one (its ref row; none for a retry); nothing per
// member or per reader. See docs/protocol.md, "Media".
//
// Every method is synchronous: its writes commit together.

import { AppError } from "../../shared/errors";
import type { MediaKind } from "../../shared/schemas/media";

export const MEDIA_TABLES = [
  `CREATE TABLE media (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    mime TEXT NOT NULL,
    size INTEGER NOT NULL,
    created INTEGER NOT NULL,
    state TEXT NOT NULL,
    upload_id TEXT,
    parts TEXT
  ) WITHOUT ROWID`,
  "CREATE INDEX media_by_created ON media(created)",
  `CREATE TABLE media_grants (
    media TEXT NOT NULL,
    chat TEXT NOT NULL,
    refs INTEGER NOT NULL,
    PRIMARY KEY (media, chat)
  ) WITHOUT ROWID`,
];

/** Step 23 (./schema-v23.ts): one row per referring send, keyed by its sender and clientId (`ref`). */
export const MEDIA_REFS_TABLE = `CREATE TABLE media_refs (
    media TEXT NOT NULL,
    chat TEXT NOT NULL,
    ref TEXT NOT NULL,
    PRIMARY KEY (media, chat, ref)
  ) WITHOUT ROWID`;

/** A send's key among a media's refs: its sender and clientId (unique per user's send, known before its id). */
export function sendRef(sender: string, clientId: string): string {
  return `${sender}\n${clientId}`;
}

/** A ref carried over from a count (step 23): no send known, the first a release without its own row takes. */
export const LEGACY_REF = ":";

/**
 * uploading: reserved, bytes on their way (simple path); parts: a multipart
 * upload; ready: whole; aborted: a multipart upload its uploader gave up (its
 * bytes no longer count, the row waits for the sweep).
 */
export type MediaState = "uploading" | "parts" | "ready" | "aborted";

export interface MediaRecord {
  id: string;
  kind: MediaKind;
  mime: string;
  size: number;
  created: number;
  state: MediaState;
  uploadId: string | null;
  /** Multipart: part number → R2 etag. */
  parts: Record<string, string>;
}

interface Row {
  id: string;
  kind: string;
  mime: string;
  size: number;
  created: number;
  state: string;
  upload_id: string | null;
  parts: string | null;
  [key: string]: SqlStorageValue;
}

export interface MediaQuota {
  bytes: number;
  uploads: number;
  windowMs: number;
}

export function mediaKey(id: string): string {
  return `media/${id.slice(0, 16)}/${id}`;
}

export class MediaStore {
  constructor(private readonly sql: SqlStorage) {}

  get(id: string): MediaRecord | null {
    const row = this.sql.exec<Row>("SELECT * FROM media WHERE id = ?", id).toArray()[0];
    return row ? toRecord(row) : null;
  }

  /** A new upload of `size` bytes, within the allowance of the last window; else quota_exceeded, nothing written. */
  reserve(
    r: { id: string; kind: MediaKind; mime: string; size: number; state: MediaState; uploadId?: string },
    quota: MediaQuota,
    now: number,
  ): void {
    const used = this.sql
      .exec<{ n: number; bytes: number }>(
        "SELECT count(*) AS n, coalesce(sum(size), 0) AS bytes FROM media WHERE created > ?",
        now - quota.windowMs,
      )
      .one();
    if (used.n + 1 > quota.uploads) {
      throw new AppError("quota_exceeded", `at most ${quota.uploads} uploads a day; try again later`);
    }
    if (used.bytes + r.size > quota.bytes) {
      throw new AppError("quota_exceeded", `at most ${quota.bytes} bytes of uploads a day; try again later`);
    }
    this.sql.exec(
      "INSERT INTO media (id, kind, mime, size, created, state, upload_id, parts) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
      r.id,
      r.kind,
      r.mime,
      r.size,
      now,
      r.state,
      r.uploadId ?? null,
      r.state === "parts" ? "{}" : null,
    );
  }

  /** The bytes are whole in R2 (a simple upload stored, or a multipart one completed). */
  ready(id: string, mime?: string): void {
    this.sql.exec(
      "UPDATE media SET state = 'ready', parts = NULL, mime = coalesce(?, mime) WHERE id = ?",
      mime ?? null,
      id,
    );
  }

  /** One part of a multipart upload is in R2; the first part names the type. */
  partDone(id: string, part: number, etag: string, mime: string | null): void {
    const record = this.get(id);
    if (!record) return;
    const parts = { ...record.parts, [String(part)]: etag };
    this.sql.exec("UPDATE media SET parts = ?, mime = coalesce(?, mime) WHERE id = ?", JSON.stringify(parts), mime, id);
  }

  /**
   * A multipart upload given up: no more parts are taken, and its bytes leave
   * the day's allowance (it still counts as one upload, so starting and giving
   * up cannot go round the count). The row keeps the R2 upload id: the sweep
   * aborts it there too, if the caller could not, and then deletes the row.
   */
  abandon(id: string): void {
    this.sql.exec("UPDATE media SET state = 'aborted', size = 0, parts = NULL WHERE id = ? AND state = 'parts'", id);
  }

  drop(id: string): void {
    this.sql.exec("DELETE FROM media WHERE id = ?", id);
    this.sql.exec("DELETE FROM media_refs WHERE media = ?", id);
  }

  /** The chats that may read it (absolute keys: p:<a>:<b> or g:<id>). */
  grants(id: string): string[] {
    return this.sql
      .exec<{ chat: string }>("SELECT DISTINCT chat FROM media_refs WHERE media = ?", id)
      .toArray()
      .map((row) => row.chat);
  }

  /**
   * The send `ref` (sendRef) stores a message of `chat` that refers to it:
   * one row written; a retry of the same send, none (it counts once).
   */
  grant(id: string, chat: string, ref: string): void {
    this.sql.exec("INSERT INTO media_refs (media, chat, ref) VALUES (?, ?, ?) ON CONFLICT DO NOTHING", id, chat, ref);
  }

  /** The send `ref` was refused: its row goes, and only its (the upload stays: its 24 hours run on). */
  withdraw(id: string, chat: string, ref: string): void {
    this.sql.exec("DELETE FROM media_refs WHERE media = ? AND chat = ? AND ref = ?", id, chat, ref);
  }

  /**
   * A message of `chat` that referred to it was deleted for everyone: the row
   * of its send (`ref`) goes, or, for a message whose send is not known (or
   * whose row was carried over from a count), one other row of the chat, the
   * carried-over first. Answers true once no message refers to it any more:
   * its rows are gone, and the caller deletes the bytes.
   */
  release(id: string, chat: string, ref: string | null): boolean {
    const own =
      ref !== null &&
      this.sql.exec("DELETE FROM media_refs WHERE media = ? AND chat = ? AND ref = ?", id, chat, ref).rowsWritten > 0;
    if (!own) {
      this.sql.exec(
        `DELETE FROM media_refs WHERE media = ? AND chat = ? AND ref = (SELECT ref FROM media_refs
           WHERE media = ? AND chat = ? ORDER BY ref LIKE ? DESC, ref LIMIT 1)`,
        id,
        chat,
        id,
        chat,
        `${LEGACY_REF}%`,
      );
    }
    if (this.grants(id).length > 0 || !this.get(id)) return false;
    this.drop(id);
    return true;
  }

  /** Uploads no message refers to, begun before `before`: deleted here, returned for R2. */
  takeExpired(before: number): MediaRecord[] {
    const rows = this.sql
      .exec<Row>(
        `SELECT * FROM media m WHERE created < ?
         AND NOT EXISTS (SELECT 1 FROM media_refs g WHERE g.media = m.id) LIMIT 100`,
        before,
      )
      .toArray();
    for (const row of rows) this.sql.exec("DELETE FROM media WHERE id = ?", row.id);
    return rows.map(toRecord);
  }

  /** When the oldest upload no message refers to began (null: none). */
  oldestUnsent(): number | null {
    return this.sql
      .exec<{ t: number | null }>(
        `SELECT min(created) AS t FROM media m
         WHERE NOT EXISTS (SELECT 1 FROM media_refs g WHERE g.media = m.id)`,
      )
      .one().t;
  }
}

function toRecord(row: Row): MediaRecord {
  return {
    id: row.id,
    kind: row.kind as MediaKind,
    mime: row.mime,
    size: row.size,
    created: row.created,
    state: row.state as MediaState,
    uploadId: row.upload_id,
    parts: row.parts ? (JSON.parse(row.parts) as Record<string, string>) : {},
  };
}
