// The group's authoritative, ordered log: every message and membership event,
// keyed by message id. Ids come from the group's own clock, so id order is the
// group's one order, the same for every member.
//
// Every method is synchronous: the caller's writes commit together.

import type { ChatId, SystemEvent } from "../../shared/protocol";
import type { InboxMessage } from "../inbox";
import { MessageIdClock } from "../storage/id-clock";
import type { Meta } from "../storage/meta";

export interface LogEntry {
  id: string;
  sender: string;
  text: string;
  ts: number;
  clientId: string | null;
  system: SystemEvent | null;
}

interface LogRow {
  id: string;
  sender: string;
  text: string;
  ts: number;
  client_id: string | null;
  system: string | null;
  [key: string]: SqlStorageValue;
}

const COLUMNS = "id, sender, text, ts, client_id, system";

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

  append(entry: { sender: string; text: string; clientId?: string; system?: SystemEvent }, now = Date.now()): LogEntry {
    const { id, ts } = this.ids.next(now);
    const clientId = entry.clientId ?? null;
    const system = entry.system ?? null;
    this.sql.exec(
      `INSERT INTO log (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)`,
      id,
      entry.sender,
      entry.text,
      ts,
      clientId,
      system ? JSON.stringify(system) : null,
    );
    this.last = id;
    return { id, sender: entry.sender, text: entry.text, ts, clientId, system };
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
   */
  itemsFor(user: string, after: string, limit: number): InboxMessage[] {
    return this.sql
      .exec<LogRow>(
        `SELECT ${COLUMNS} FROM log
         WHERE id > ?1 AND (
           id >= (SELECT since FROM members WHERE user_id = ?2)
           OR EXISTS (SELECT 1 FROM spans s WHERE s.user_id = ?2 AND log.id BETWEEN s.from_id AND s.to_id))
         ORDER BY id LIMIT ?3`,
        after,
        user,
        limit,
      )
      .toArray()
      .map((row) => this.toItem(toEntry(row), user));
  }

  /** The entry as `target`'s mailbox stores it; only the sender's copy keeps the clientId. */
  toItem(entry: LogEntry, target: string): InboxMessage {
    const item: InboxMessage = {
      kind: "message",
      id: entry.id,
      chat: this.chat,
      from: entry.sender,
      text: entry.text,
      ts: entry.ts,
    };
    if (entry.system) item.system = entry.system;
    if (entry.clientId !== null && entry.sender === target) item.clientId = entry.clientId;
    return item;
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
  };
}
