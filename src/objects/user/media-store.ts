// The media this user uploaded, kept by the uploader's own object: one row per
// upload (its kind, sniffed type, size, state, and a multipart upload's parts)
// and one row per chat that may read it (`media_grants`, with how many
// messages there refer to it). The bytes are in R2 under mediaKey(id).
//
// Rows written: an upload, one (a multipart one, one more per part); a
// message that refers to it, one (its grant row, inserted or counted up);
// nothing per member or per reader. See docs/protocol.md, "Media".
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
    this.sql.exec("DELETE FROM media_grants WHERE media = ?", id);
  }

  /** The chats that may read it (absolute keys: p:<a>:<b> or g:<id>). */
  grants(id: string): string[] {
    return this.sql
      .exec<{ chat: string }>("SELECT chat FROM media_grants WHERE media = ?", id)
      .toArray()
      .map((row) => row.chat);
  }

  /** One more message in `chat` refers to it: one row written. */
  grant(id: string, chat: string): void {
    this.sql.exec(
      `INSERT INTO media_grants (media, chat, refs) VALUES (?, ?, 1)
       ON CONFLICT(media, chat) DO UPDATE SET refs = refs + 1`,
      id,
      chat,
    );
  }

  /**
   * A message of `chat` that referred to it was deleted for everyone. Answers
   * true once no chat refers to it any more: its rows are gone, and the
   * caller deletes the bytes.
   */
  release(id: string, chat: string, dropUnused = true): boolean {
    this.sql.exec("UPDATE media_grants SET refs = refs - 1 WHERE media = ? AND chat = ?", id, chat);
    this.sql.exec("DELETE FROM media_grants WHERE media = ? AND chat = ? AND refs <= 0", id, chat);
    if (!dropUnused || this.grants(id).length > 0 || !this.get(id)) return false;
    this.drop(id);
    return true;
  }

  /** Uploads no message refers to, begun before `before`: deleted here, returned for R2. */
  takeExpired(before: number): MediaRecord[] {
    const rows = this.sql
      .exec<Row>(
        `SELECT * FROM media m WHERE created < ?
         AND NOT EXISTS (SELECT 1 FROM media_grants g WHERE g.media = m.id) LIMIT 100`,
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
         WHERE NOT EXISTS (SELECT 1 FROM media_grants g WHERE g.media = m.id)`,
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
