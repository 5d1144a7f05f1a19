// The group's authoritative, ordered log: every message, membership event and
// change (edit, delete), keyed by message id and numbered by a dense position.
// Ids come from the group's own clock, so id order (= position order) is the
// group's one order, the same for every member. A message's row holds its
// current state (text, edited, deleted); a change's row only points at it.
// It is the only stored copy of a group message: members read it through
// ./views.ts (docs/groups.md). Its oldest pages may be in R2 (./archive.ts):
// `get` and `idBefore` look there for what is no longer in SQLite.
//
// Every method is synchronous: the caller's writes commit together.

import { type IdClock, messageIdTime } from "../../shared/ids";
import type { ChatId, Media, Quote, SystemEvent } from "../../shared/protocol";
import { type ClockStore, MessageIdClock } from "../storage/id-clock";
import type { Meta } from "../storage/meta";
import { quoteOf } from "../user/quotes";

export interface LogEntry {
  pos: number;
  id: string;
  sender: string;
  text: string;
  ts: number;
  clientId: string | null;
  system: SystemEvent | null;
  /** On a change entry: the message it changes, and how. */
  target: string | null;
  action: ChangeAction | null;
  replyTo: string | null;
  editedAt: number | null;
  deletedAt: number | null;
  deletedBy: string | null;
  /** On a forwarded copy: its hops from the original. */
  forwarded: number | null;
  media: Media | null;
}

/** What a change entry does to its message. */
export type ChangeAction = "edit" | "delete" | "react";
const ACTIONS: readonly string[] = ["edit", "delete", "react"] satisfies ChangeAction[];

export interface LogRow {
  pos: number;
  id: string;
  sender: string;
  text: string;
  ts: number;
  client_id: string | null;
  system: string | null;
  target: string | null;
  action: string | null;
  reply_to: string | null;
  edited_at: number | null;
  deleted_at: number | null;
  deleted_by: string | null;
  forwarded: number | null;
  media: string | null;
  [key: string]: SqlStorageValue;
}

/** What search matches in a row: its text and a file's name, as the index holds them (group schema step 5). */
export function searchedText(row: { text: string; media?: string | null }): string {
  const name = row.media ? (JSON.parse(row.media) as { name?: string }).name : undefined;
  return name ? `${row.text} ${name}` : row.text;
}

export const LOG_COLUMNS =
  "pos, id, sender, text, ts, client_id, system, target, action, reply_to, edited_at, deleted_at, deleted_by, forwarded, media";

export class GroupLog {
  private readonly ids: MessageIdClock;
  readonly chat: ChatId;
  private last: string;
  private lastPosition: number;
  /** Entries no longer in SQLite (set once the archive is open). */
  archived: { get(id: string): LogEntry | null; idAt(pos: number): string } | null = null;

  constructor(
    private readonly sql: SqlStorage,
    meta: Meta,
    groupId: string,
  ) {
    this.chat = `g:${groupId}`;
    const row = sql
      .exec<{ id: string | null; pos: number | null }>("SELECT max(id) AS id, max(pos) AS pos FROM log")
      .one();
    this.last = row.id ?? "";
    this.lastPosition = row.pos ?? 0;
    this.ids = new MessageIdClock(meta, groupId, clockFromLog(meta, this.last));
  }

  /** The newest entry's id ("" while the log is empty). */
  get lastId(): string {
    return this.last;
  }

  get lastPos(): number {
    return this.lastPosition;
  }

  append(
    entry: {
      sender: string;
      text: string;
      clientId?: string;
      system?: SystemEvent;
      replyTo?: string;
      change?: { target: string; action: ChangeAction };
      forwarded?: number;
      media?: Media;
    },
    now = Date.now(),
  ): LogEntry {
    const { id, ts } = this.ids.next(now);
    const row: LogEntry = {
      pos: this.lastPosition + 1,
      id,
      sender: entry.sender,
      text: entry.text,
      ts,
      clientId: entry.clientId ?? null,
      system: entry.system ?? null,
      target: entry.change?.target ?? null,
      action: entry.change?.action ?? null,
      replyTo: entry.replyTo ?? null,
      editedAt: null,
      deletedAt: null,
      deletedBy: null,
      forwarded: entry.forwarded ?? null,
      media: entry.media ?? null,
    };
    this.sql.exec(
      "INSERT INTO log (pos, id, sender, text, ts, client_id, system, target, action, reply_to, forwarded, media) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      row.pos,
      id,
      row.sender,
      row.text,
      ts,
      row.clientId,
      row.system ? JSON.stringify(row.system) : null,
      row.target,
      row.action,
      row.replyTo,
      row.forwarded,
      row.media ? JSON.stringify(row.media) : null,
    );
    this.last = id;
    this.lastPosition = row.pos;
    return row;
  }

  get(id: string): LogEntry | null {
    const row = this.sql.exec<LogRow>(`SELECT ${LOG_COLUMNS} FROM log WHERE id = ?`, id).toArray()[0];
    return row ? toLogEntry(row) : (this.archived?.get(id) ?? null);
  }

  /** A message's new state after an edit (its new text) or a delete (text and quotes gone). */
  setState(id: string, change: { editedAt: number; text: string } | { deletedAt: number; by: string }): void {
    if ("text" in change) {
      this.sql.exec("UPDATE log SET text = ?, edited_at = ? WHERE id = ?", change.text, change.editedAt, id);
    } else {
      this.sql.exec(
        "UPDATE log SET text = '', media = NULL, deleted_at = ?, deleted_by = ? WHERE id = ?",
        change.deletedAt,
        change.by,
        id,
      );
    }
  }

  /** The id of the entry before position `pos` ("" for none). */
  idBefore(pos: number): string {
    const row = this.sql.exec<{ id: string }>("SELECT id FROM log WHERE pos = ?", pos - 1).toArray()[0];
    return row?.id ?? this.archived?.idAt(pos - 1) ?? "";
  }

  findByClient(sender: string, clientId: string): LogEntry | null {
    const row = this.sql
      .exec<LogRow>(`SELECT ${LOG_COLUMNS} FROM log WHERE sender = ? AND client_id = ?`, sender, clientId)
      .toArray()[0];
    return row ? toLogEntry(row) : null;
  }

  count(): number {
    return this.sql.exec<{ n: number }>("SELECT count(*) AS n FROM log").one().n;
  }

  quote(id: string): Quote | null {
    const quoted = this.get(id);
    if (!quoted) return null;
    const media = quoted.media ? JSON.stringify(quoted.media) : null;
    return quoteOf({ id, sender: quoted.sender, text: quoted.text, deleted_at: quoted.deletedAt, media });
  }
}

/**
 * The id clock needs no row of its own: every id it makes is a log row's,
 * written in the same block, and the newest one holds the clock (its time and
 * sequence). Two rows fewer per message than the clock's own meta rows, which
 * older code wrote and which still count where they are ahead.
 */
function clockFromLog(meta: Meta, lastId: string): ClockStore {
  const stored: IdClock = { ts: meta.number("id_ts"), seq: meta.number("id_seq") };
  const fromLog: IdClock =
    lastId === "" ? { ts: 0, seq: 0 } : { ts: messageIdTime(lastId), seq: Number.parseInt(lastId.slice(9, 13), 36) };
  const later = fromLog.ts > stored.ts || (fromLog.ts === stored.ts && fromLog.seq >= stored.seq) ? fromLog : stored;
  return { load: () => later, set: () => {} };
}

export function toLogEntry(row: LogRow): LogEntry {
  return {
    pos: row.pos,
    id: row.id,
    sender: row.sender,
    text: row.text,
    ts: row.ts,
    clientId: row.client_id,
    system: row.system === null ? null : (JSON.parse(row.system) as SystemEvent),
    target: row.target,
    action: row.action !== null && ACTIONS.includes(row.action) ? (row.action as ChangeAction) : null,
    replyTo: row.reply_to,
    editedAt: row.edited_at,
    deletedAt: row.deleted_at,
    deletedBy: row.deleted_by,
    forwarded: row.forwarded,
    media: row.media === null ? null : (JSON.parse(row.media) as Media),
  };
}
