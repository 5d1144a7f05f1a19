// The group's authoritative, ordered log: every message, membership event and
// change (edit, delete), keyed by message id. Ids come from the group's own
// clock, so id order is the group's one order, the same for every member.
// A message's row holds its current state (text, edited, deleted); a change's
// row only points at it, and is delivered as that current state.
//
// Every method is synchronous: the caller's writes commit together.

import type { ChatId, Quote, SystemEvent } from "../../shared/protocol";
import type { InboxChange, InboxItem, InboxMessage } from "../inbox";
import { MessageIdClock } from "../storage/id-clock";
import type { Meta } from "../storage/meta";
import { quoteOf } from "../user/quotes";

export interface LogEntry {
  id: string;
  sender: string;
  text: string;
  ts: number;
  clientId: string | null;
  system: SystemEvent | null;
  /** On a change entry: the message it changes, and how. */
  target: string | null;
  action: "edit" | "delete" | null;
  replyTo: string | null;
  editedAt: number | null;
  deletedAt: number | null;
  deletedBy: string | null;
}

interface LogRow {
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
  [key: string]: SqlStorageValue;
}

const COLUMNS = "id, sender, text, ts, client_id, system, target, action, reply_to, edited_at, deleted_at, deleted_by";

/** An item's place in the log: a change's own entry id, else the message id. */
export function logPosition(item: InboxItem): string {
  return item.kind === "change" ? item.cid : item.kind === "message" ? item.id : item.rid;
}

export class GroupLog {
  private readonly ids: MessageIdClock;
  readonly chat: ChatId;
  private last: string;

  constructor(
    private readonly sql: SqlStorage,
    meta: Meta,
    groupId: string,
  ) {
    this.ids = new MessageIdClock(meta, groupId);
    this.chat = `g:${groupId}`;
    this.last = sql.exec<{ id: string | null }>("SELECT max(id) AS id FROM log").one().id ?? "";
  }

  /** The newest entry's id ("" while the log is empty). */
  get lastId(): string {
    return this.last;
  }

  append(
    entry: {
      sender: string;
      text: string;
      clientId?: string;
      system?: SystemEvent;
      replyTo?: string;
      change?: { target: string; action: "edit" | "delete" };
    },
    now = Date.now(),
  ): LogEntry {
    const { id, ts } = this.ids.next(now);
    const row: LogEntry = {
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
    };
    this.sql.exec(
      "INSERT INTO log (id, sender, text, ts, client_id, system, target, action, reply_to) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
      id,
      row.sender,
      row.text,
      ts,
      row.clientId,
      row.system ? JSON.stringify(row.system) : null,
      row.target,
      row.action,
      row.replyTo,
    );
    this.last = id;
    return row;
  }

  get(id: string): LogEntry | null {
    const row = this.sql.exec<LogRow>(`SELECT ${COLUMNS} FROM log WHERE id = ?`, id).toArray()[0];
    return row ? toEntry(row) : null;
  }

  /** A message's new state after an edit (its new text) or a delete (text and quotes gone). */
  setState(id: string, change: { editedAt: number; text: string } | { deletedAt: number; by: string }): void {
    if ("text" in change) {
      this.sql.exec("UPDATE log SET text = ?, edited_at = ? WHERE id = ?", change.text, change.editedAt, id);
    } else {
      this.sql.exec(
        "UPDATE log SET text = '', deleted_at = ?, deleted_by = ? WHERE id = ?",
        change.deletedAt,
        change.by,
        id,
      );
    }
  }

  findByClient(sender: string, clientId: string): LogEntry | null {
    const row = this.sql
      .exec<LogRow>(`SELECT ${COLUMNS} FROM log WHERE sender = ? AND client_id = ?`, sender, clientId)
      .toArray()[0];
    return row ? toEntry(row) : null;
  }

  count(): number {
    return this.sql.exec<{ n: number }>("SELECT count(*) AS n FROM log").one().n;
  }

  /**
   * What `user` is owed after log id `after`, oldest first: the entries inside
   * its current membership (from `since` on) or inside one of its past spans.
   * A change goes only to those who were meant to have its message; `through`
   * is the last entry looked at (changes skipped included), where the
   * member's cursor may move once the items are delivered (null: nothing).
   */
  scanFor(user: string, after: string, limit: number): { items: InboxItem[]; through: string | null } {
    const rows = this.sql
      .exec<LogRow & { visible: number }>(
        `SELECT ${COLUMNS}, (target IS NULL
           OR target >= (SELECT since FROM members WHERE user_id = ?2)
           OR EXISTS (SELECT 1 FROM past_members p WHERE p.user_id = ?2 AND log.target BETWEEN p.from_id AND p.to_id)
         ) AS visible
         FROM log
         WHERE id > ?1 AND (
           id >= (SELECT since FROM members WHERE user_id = ?2)
           OR EXISTS (SELECT 1 FROM spans s WHERE s.user_id = ?2 AND log.id BETWEEN s.from_id AND s.to_id))
         ORDER BY id LIMIT ?3`,
        after,
        user,
        limit,
      )
      .toArray();
    const items = rows.filter((row) => row.visible).map((row) => this.toItem(toEntry(row), user));
    return { items, through: rows.at(-1)?.id ?? null };
  }

  itemsFor(user: string, after: string, limit: number): InboxItem[] {
    return this.scanFor(user, after, limit).items;
  }

  /** The entry as `reader`'s mailbox stores it; only the author's copy keeps the clientId. */
  toItem(entry: LogEntry, reader: string): InboxItem {
    const clientId = entry.clientId !== null && entry.sender === reader ? entry.clientId : null;
    if (entry.target !== null) return this.changeItem(entry, clientId);
    const item: InboxMessage = {
      kind: "message",
      id: entry.id,
      chat: this.chat,
      from: entry.sender,
      text: entry.text,
      ts: entry.ts,
    };
    if (entry.system) item.system = entry.system;
    if (clientId !== null) item.clientId = clientId;
    if (entry.replyTo !== null) {
      const quote = this.quote(entry.replyTo);
      if (quote) item.replyTo = quote;
    }
    return item;
  }

  /** A change entry as the current state of its message (so a deleted text never travels again). */
  private changeItem(entry: LogEntry, clientId: string | null): InboxChange {
    const message = this.get(entry.target ?? "");
    const item: InboxChange = {
      kind: "change",
      cid: entry.id,
      chat: this.chat,
      id: entry.target ?? "",
      from: message?.sender ?? "",
      text: message?.text ?? "",
    };
    if (message?.editedAt != null) item.editedAt = message.editedAt;
    if (message?.deletedAt != null) {
      item.deletedAt = message.deletedAt;
      item.deletedBy = message.deletedBy ?? entry.sender;
    }
    if (clientId !== null) item.clientId = clientId;
    return item;
  }

  quote(id: string): Quote | null {
    const quoted = this.get(id);
    return quoted ? quoteOf({ id, sender: quoted.sender, text: quoted.text, deleted_at: quoted.deletedAt }) : null;
  }
}

function toEntry(row: LogRow): LogEntry {
  return {
    id: row.id,
    sender: row.sender,
    text: row.text,
    ts: row.ts,
    clientId: row.client_id,
    system: row.system === null ? null : (JSON.parse(row.system) as SystemEvent),
    target: row.target,
    action: row.action === "edit" || row.action === "delete" ? row.action : null,
    replyTo: row.reply_to,
    editedAt: row.edited_at,
    deletedAt: row.deleted_at,
    deletedBy: row.deleted_by,
  };
}
