// The host's answers to its guest's reads of a hosted one-to-one chat
// (docs/one-copy-per-chat.md, step 2 item 2). The chat's log is the host's
// rows after `hosted_from` that have a position; the guest gets them as a
// group member gets its group's entries (GroupEntry, ../group-entry.ts), so
// that the guest's side can be the group code's (./group-reads.ts, through
// ./log-source.ts). Each entry is the message as the guest names it: the chat
// is `u:<host>`, and the guest's own messages carry its clientId.
//
// Edits, deletes for everyone and reactions are entries of the log too (rows
// of `changes` with a position, ./hosted-log.ts): pull and entries answer
// them in position order, each as its message is now, as a group's do;
// history, search and message answer messages only, as a group's do.
//
// A guest's object reads these behind HOSTED_GUEST_SEND (./log-source.ts), and
// the host's hand-over makes its entries the same way (./hosted-push.ts). Rows
// in archived pages (R2) are added by ./hosted-archive.ts. A row the host deleted
// for itself stays here and is read (./changes.ts, `hide`; ./hidden.ts).

import { AppError } from "../../shared/errors";
import { HISTORY_LIMIT_MAX } from "../../shared/limits";
import type { GroupEntry } from "../group-entry";
import type { PulledPage } from "../group-object";
import { hosts } from "./hosted-append";
import type { Mailbox } from "./mailbox";
import { MESSAGE_COLUMNS, type MessageRow, toMessage } from "./mailbox-reads";
import { tailHits } from "./search-tail";

export interface HostReader {
  userId: string;
  sql: SqlStorage;
  mailbox: Mailbox;
}

/** Entries in one answer, as a group's (../group-object.ts). */
const PAGE_MAX = 1000;
/** Rows read at a time when walking a chat back from its newest. */
const WALK = 200;

export type PosRow = MessageRow & { pos: number };
export const POS_COLUMNS = `${MESSAGE_COLUMNS}, pos`;
const COLUMNS = POS_COLUMNS;

/** The guest's hosted chat here, and the id its log starts after; anyone else gets what an unknown chat gets. */
export function hostedChat(me: HostReader, guest: string): { chat: string; from: string } {
  const chat = `u:${guest}`;
  const row = hosts(me.userId, guest) ? me.mailbox.chatRows.get(chat) : null;
  if (!row || row.hosted_from === null) throw new AppError("not_found", "no such chat");
  return { chat, from: row.hosted_from };
}

/** A message of the log as the guest gets it (also the hand-over's, ./hosted-push.ts). */
export function entryOf(me: HostReader, guest: string, row: PosRow): GroupEntry {
  const { seq: _seq, ...message } = toMessage(row, guest, (id) => me.mailbox.reactions.of(id));
  return { pos: row.pos, id: row.id, message: { ...message, chat: `u:${me.userId}` } };
}

/** A change entry of the log (schema step 20): `cid` is its id. */
export interface ChangeEntryRow {
  cid: string;
  target: string;
  pos: number;
  guest: string | null;
  guest_client_id: string | null;
  [key: string]: SqlStorageValue;
}

function changeRows(me: HostReader, where: string, ...params: SqlStorageValue[]): ChangeEntryRow[] {
  return me.sql
    .exec<ChangeEntryRow>(
      `SELECT cid, target, pos, guest, guest_client_id FROM changes WHERE chat = ? AND pos IS NOT NULL AND ${where}`,
      ...params,
    )
    .toArray();
}

/** A change entry: its message as it is now, and the clientId for the guest's own changes only. */
export function changeEntryOf(me: HostReader, guest: string, chat: string, row: ChangeEntryRow): GroupEntry {
  const target = rows(me, "chat = ? AND id = ?", chat, row.target)[0];
  const message = target
    ? entryOf(me, guest, target).message
    : { id: row.target, chat: `u:${me.userId}` as const, from: "", text: "", ts: 0 };
  const change: GroupEntry["change"] = { pos: target?.pos ?? 0 };
  if (row.guest === guest && row.guest_client_id !== null) change.clientId = row.guest_client_id;
  return { pos: row.pos, id: row.cid, message, change };
}

/** Messages and change entries, one sorted list (ids sort as positions do in a hosted log). */
type LogRow = { id: string; pos: number; entry: () => GroupEntry };

function merged(me: HostReader, guest: string, chat: string, messages: PosRow[], changes: ChangeEntryRow[]): LogRow[] {
  return [
    ...messages.map((r) => ({ id: r.id, pos: r.pos, entry: () => entryOf(me, guest, r) })),
    ...changes.map((r) => ({ id: r.cid, pos: r.pos, entry: () => changeEntryOf(me, guest, chat, r) })),
  ].sort((a, b) => a.pos - b.pos);
}

function rows(me: HostReader, where: string, ...params: SqlStorageValue[]): PosRow[] {
  return me.sql.exec<PosRow>(`SELECT ${COLUMNS} FROM messages WHERE ${where}`, ...params).toArray();
}

/** What the guest may read after log id `after`, oldest first; `through`: the last id looked at (null: none). */
export function hostedPull(me: HostReader, guest: string, after: string, limit: number): PulledPage {
  const { chat, from } = hostedChat(me, guest);
  const max = clamp(limit, PAGE_MAX);
  const start = after > from ? after : from;
  // The first `max` of each table after `start`: the first `max` of both, merged, are among them.
  const messages = rows(me, "chat = ? AND id > ? AND pos IS NOT NULL ORDER BY id LIMIT ?", chat, start, max);
  const changes = changeRows(me, "cid > ? ORDER BY cid LIMIT ?", chat, start, max);
  const page = merged(me, guest, chat, messages, changes).slice(0, max);
  return { entries: page.map((r) => r.entry()), through: page.at(-1)?.id ?? null };
}

/**
 * The entries at positions from..to, oldest first, at most PAGE_MAX (the
 * content of a guest's sync). Positions rise with ids, so the chat's
 * messages and change entries are walked back from the newest: what a sync
 * asks for is its tail, and `pos` has no index of its own (schema steps 19
 * and 20).
 */
export function hostedEntries(me: HostReader, guest: string, fromPos: number, toPos: number): GroupEntry[] {
  const { chat, from } = hostedChat(me, guest);
  const messages = walkBack(fromPos, toPos, (before) =>
    rows(me, "chat = ? AND id > ? AND id < ? AND pos IS NOT NULL ORDER BY id DESC LIMIT ?", chat, from, before, WALK),
  );
  const changes = walkBack(fromPos, toPos, (before) =>
    changeRows(me, "cid > ? AND cid < ? ORDER BY cid DESC LIMIT ?", chat, from, before, WALK).map((r) => ({
      ...r,
      id: r.cid,
    })),
  );
  return merged(me, guest, chat, messages, changes)
    .slice(0, PAGE_MAX)
    .map((r) => r.entry());
}

/** Rows at positions from..to, read back from the newest a page (WALK) at a time; `page(before)` is newest first. */
function walkBack<R extends { id: string; pos: number }>(
  fromPos: number,
  toPos: number,
  page: (before: string) => R[],
): R[] {
  const found: R[] = [];
  let before = "~";
  for (;;) {
    const rows = page(before);
    for (const row of rows) {
      if (row.pos < fromPos) return found;
      if (row.pos <= toPos) found.push(row);
    }
    const last = rows.at(-1);
    if (!last || rows.length < WALK) return found;
    before = last.id;
  }
}

/** A page of the chat before id `before` (the newest without), oldest first. */
export function hostedHistory(me: HostReader, guest: string, before: string | undefined, limit: number): GroupEntry[] {
  const { chat, from } = hostedChat(me, guest);
  const page = rows(
    me,
    "chat = ? AND id > ? AND id < ? AND pos IS NOT NULL ORDER BY id DESC LIMIT ?",
    chat,
    from,
    before ?? "~",
    clamp(limit, HISTORY_LIMIT_MAX),
  );
  return page.reverse().map((r) => entryOf(me, guest, r));
}

/** One message of the chat, or null if the log has no such id. */
export function hostedMessage(me: HostReader, guest: string, id: string): GroupEntry | null {
  const { chat, from } = hostedChat(me, guest);
  if (id <= from) return null;
  const row = rows(me, "chat = ? AND id = ? AND pos IS NOT NULL", chat, id)[0];
  return row ? entryOf(me, guest, row) : null;
}

/**
 * Hits of an FTS5 expression (./search-query.ts) in the chat, newest first,
 * ids below `before`: the index's tail first (./search-tail.ts), then the
 * index, bounded to the chat.
 */
export function hostedSearch(
  me: HostReader,
  guest: string,
  match: string,
  before: string | undefined,
  limit: number,
): GroupEntry[] {
  const { chat, from } = hostedChat(me, guest);
  const max = clamp(limit, HISTORY_LIMIT_MAX);
  const upper = before ?? "~";
  const inChat = (row: PosRow) => row.chat === chat && row.id > from && row.pos !== null;
  const tail = tailHits<PosRow>(me.sql, match, upper, Number.MAX_SAFE_INTEGER, COLUMNS).filter(inChat).slice(0, max);
  const indexed =
    tail.length < max
      ? me.sql
          .exec<PosRow>(
            `SELECT ${COLUMNS.split(", ")
              .map((c) => `m.${c}`)
              .join(", ")}
             FROM messages_fts f JOIN messages m ON m.seq = f.rowid
             WHERE messages_fts MATCH ? AND m.chat = ? AND m.id > ? AND m.id < ? AND m.pos IS NOT NULL
               AND m.system IS NULL
             ORDER BY f.rowid DESC LIMIT ?`,
            match,
            chat,
            from,
            upper,
            max - tail.length,
          )
          .toArray()
      : [];
  return [...tail, ...indexed].map((r) => entryOf(me, guest, r));
}

function clamp(limit: number, max: number): number {
  return Math.min(Math.max(1, Math.trunc(limit) || 1), max);
}
