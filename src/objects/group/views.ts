// The group's log as each member may read it. A member sees the entries of its
// membership windows: from the entry that made it a member (`members.since`)
// on, and each past span (`past_members`, from joining to leaving, inclusive);
// a change only where its message was visible too. Delivery reads the
// undelivered spans (`spans`) instead of the past ones, so a span stops being
// pushed once delivered, and stays readable. See docs/groups.md. Reads that
// reach below the first position still in SQLite go on in the archive
// (./archive-reads.ts, docs/archive.md).

import type { GroupEntry, GroupMessage } from "../group-entry";
import { type ArchivedLog, READ_PAGES_MAX, type Readable, SEARCH_PAGES_MAX, textMatcher } from "./archive-reads";
import type { GroupLog } from "./log";
import { LOG_COLUMNS, type LogEntry, type LogRow, searchedText, toLogEntry } from "./log";
import { unindexedFrom, WORDS_BLOCK } from "./log-words";
import type { GroupReactions } from "./reactions";
import { SharedTails } from "./shared-tails";

/** SQL: `column` lies in a reading window of the user bound as `user` (?2 unless said). */
export const READABLE = (column: string, user = "?2") =>
  `(${column} >= (SELECT since FROM members WHERE user_id = ${user})
    OR EXISTS (SELECT 1 FROM past_members p WHERE p.user_id = ${user} AND ${column} BETWEEN p.from_id AND p.to_id))`;

/** `column` lies in a window still to be delivered to the user bound as ?2. */
const OWED = (column: string) =>
  `(${column} >= (SELECT since FROM members WHERE user_id = ?2)
    OR EXISTS (SELECT 1 FROM spans s WHERE s.user_id = ?2 AND ${column} BETWEEN s.from_id AND s.to_id))`;

const VISIBLE_CHANGE = `(log.target IS NULL OR ${READABLE("log.target")})`;

export class LogViews {
  /** The log after a cursor, read once for every member standing there (./shared-tails.ts). */
  readonly shared: SharedTails;

  constructor(
    private readonly sql: SqlStorage,
    private readonly log: GroupLog,
    private readonly reactions: GroupReactions,
    private readonly archived: ArchivedLog | null = null,
  ) {
    this.shared = new SharedTails(sql, archived, (entry, user) => this.view(entry, user));
  }

  /**
   * What `user` is owed after log id `after`, oldest first, for delivery;
   * `through` is the last entry looked at (changes it may not see included),
   * where its cursor may move once the entries are taken (null: nothing).
   */
  scanFor(
    user: string,
    after: string,
    limit: number,
    windows: "owed" | "readable" = "owed",
  ): { entries: GroupEntry[]; through: string | null } {
    // Owed entries are never archived (./archive.ts waits for every cursor); readable ones may be.
    const old = windows === "readable" ? this.archivedAfter(user, after, limit) : null;
    if (old && (old.entries.length >= limit || old.more)) return old;
    const from = old?.through ?? after;
    const inWindow = windows === "owed" ? OWED("log.id") : READABLE("log.id");
    const rows = this.sql
      .exec<LogRow & { visible: number }>(
        `SELECT ${LOG_COLUMNS}, ${VISIBLE_CHANGE} AS visible FROM log
         WHERE id > ?1 AND ${inWindow} ORDER BY pos LIMIT ?3`,
        from,
        user,
        limit - (old?.entries.length ?? 0),
      )
      .toArray();
    const entries = rows.filter((row) => row.visible).map((row) => this.view(toLogEntry(row), user));
    return { entries: [...(old?.entries ?? []), ...entries], through: rows.at(-1)?.id ?? old?.through ?? null };
  }

  /** The archived part of a readable scan; `more`: it stopped at its bound before the hot part. */
  private archivedAfter(user: string, after: string, limit: number) {
    const archived = this.archived;
    if (!archived?.reaches(after)) return null;
    const readable = archived.readableBy(user);
    const entries: GroupEntry[] = [];
    let through: string | null = null;
    const next = archived.walkFrom(archived.positionAfter(after, readable.earliest), (row) => {
      through = row.id;
      if (this.visibleTo(readable, row)) entries.push(this.view(toLogEntry(row), user));
      return entries.length >= limit;
    });
    return { entries, through, more: through !== null && next < archived.hotStart };
  }

  private visibleTo(readable: Readable, row: LogRow): boolean {
    return readable(row.id) && (row.target === null || readable(row.target));
  }

  /** The entries `user` may read with positions in [from, to], oldest first (a sync's content). */
  range(user: string, from: number, to: number, limit: number): GroupEntry[] {
    const old: GroupEntry[] = [];
    let start = from;
    const archived = this.archived;
    if (archived && from < archived.hotStart) {
      const readable = archived.readableBy(user);
      const end = Math.min(to, archived.hotStart - 1);
      for (let round = 0; round < 3 && start <= end && old.length < limit; round++) {
        start = archived.walkFrom(start, (row) => {
          if (row.pos > to) return true;
          if (this.visibleTo(readable, row)) old.push(this.view(toLogEntry(row), user));
          return old.length >= limit;
        });
      }
      if (old.length >= limit || start <= end) return old; // the bound of one read: the caller asks again from there
      start = Math.max(start, archived.hotStart);
    }
    const hot = this.sql
      .exec<LogRow>(
        `SELECT ${LOG_COLUMNS} FROM log WHERE pos BETWEEN ?1 AND ?3 AND ${READABLE("log.id")} AND ${VISIBLE_CHANGE}
         ORDER BY pos LIMIT ?4`,
        start,
        user,
        to,
        limit - old.length,
      )
      .toArray()
      .map((row) => this.view(toLogEntry(row), user));
    return [...old, ...hot];
  }

  /** One page of the chat for `user`, oldest first: the `limit` messages just before `before`. */
  history(user: string, before: string | undefined, limit: number): GroupEntry[] {
    const rows = this.sql
      .exec<LogRow>(
        `SELECT ${LOG_COLUMNS} FROM log WHERE id < ?1 AND target IS NULL AND ${READABLE("log.id")}
         ORDER BY pos DESC LIMIT ?3`,
        before ?? "~",
        user,
        limit,
      )
      .toArray();
    const archived = this.archived;
    if (rows.length < limit && archived) {
      const readable = archived.readableBy(user);
      const below = rows.at(-1)?.id ?? before ?? "~";
      archived.walkBack(
        below,
        READ_PAGES_MAX,
        (row) => {
          if (row.target === null && readable(row.id)) rows.push(row);
          return rows.length >= limit;
        },
        readable.earliest,
      );
    }
    return rows.reverse().map((row) => this.view(toLogEntry(row), user));
  }

  /**
   * Messages `user` may read matching an FTS5 expression, newest first, older
   * than `before`: the hot part through the index of blocks (./log-words.ts),
   * then up to SEARCH_PAGES_MAX archived pages scanned.
   */
  search(user: string, match: string, before: string | undefined, limit: number): GroupEntry[] {
    const rows = this.searchHot(user, match, before ?? "~", limit);
    const archived = this.archived;
    if (rows.length < limit && archived) {
      const readable = archived.readableBy(user);
      const matches = textMatcher(match);
      archived.walkBack(
        before ?? "~",
        SEARCH_PAGES_MAX,
        (row) => {
          if (row.system === null && row.target === null && readable(row.id) && matches(searchedText(row)))
            rows.push(row);
          return rows.length >= limit;
        },
        readable.earliest,
      );
    }
    return rows.map((row) => this.view(toLogEntry(row), user));
  }

  /**
   * The hot part of a search: the newest, unfinished block looked at row by
   * row, then the blocks whose document matches, newest first, each looked at
   * row by row (a block matches when its messages together have the words).
   */
  private searchHot(user: string, match: string, before: string, limit: number): LogRow[] {
    const top = this.sql
      .exec<{ below: number | null; last: number | null }>(
        "SELECT (SELECT max(pos) FROM log WHERE id < ?1) AS below, (SELECT max(pos) FROM log) AS last",
        before,
      )
      .one();
    if (top.below === null || top.last === null) return [];
    const matches = textMatcher(match);
    const rows: LogRow[] = [];
    const scan = (from: number, to: number): boolean => {
      for (const row of this.sql
        .exec<LogRow>(
          `SELECT ${LOG_COLUMNS} FROM log WHERE pos BETWEEN ?3 AND ?4 AND id < ?1
             AND system IS NULL AND target IS NULL AND ${READABLE("log.id")} ORDER BY pos DESC`,
          before,
          user,
          from,
          to,
        )
        .toArray()) {
        if (matches(searchedText(row))) rows.push(row);
        if (rows.length >= limit) return true;
      }
      return false;
    };
    const tail = unindexedFrom(top.last);
    if (top.below >= tail && scan(tail, top.below)) return rows;
    // Blocks in pages of ids (another statement runs between pages, none while one is read).
    let below = Math.floor(Math.min(top.below, tail - 1) / WORDS_BLOCK) + 1;
    for (;;) {
      const blocks = this.sql
        .exec<{ block: number }>(
          "SELECT rowid AS block FROM log_words WHERE log_words MATCH ?1 AND rowid < ?2 ORDER BY rowid DESC LIMIT 32",
          match,
          below,
        )
        .toArray();
      for (const { block } of blocks) {
        if (scan(block * WORDS_BLOCK, block * WORDS_BLOCK + WORDS_BLOCK - 1)) return rows;
      }
      const last = blocks.at(-1);
      if (blocks.length < 32 || !last) return rows;
      below = last.block;
    }
  }

  /** One message as `user` may read it (null if it may not, or there is none). */
  message(user: string, id: string): GroupEntry | null {
    const row = this.sql
      .exec<LogRow>(
        `SELECT ${LOG_COLUMNS} FROM log WHERE id = ?1 AND target IS NULL AND ${READABLE("log.id")}`,
        id,
        user,
      )
      .toArray()[0];
    if (row) return this.view(toLogEntry(row), user);
    const archived = this.archived;
    if (!archived?.reaches(id)) return null;
    const entry = archived.get(id, true);
    if (!entry || entry.target !== null || !archived.readableBy(user)(id)) return null;
    return this.view(entry, user);
  }

  /** An entry as `reader` sees it: a message as it is now; a change as its message's state now. */
  view(entry: LogEntry, reader: string): GroupEntry {
    if (entry.target === null) return { pos: entry.pos, id: entry.id, message: this.messageOf(entry, reader) };
    const target = this.log.get(entry.target);
    const change: GroupEntry["change"] = { pos: target?.pos ?? 0 };
    if (entry.clientId !== null && entry.sender === reader) change.clientId = entry.clientId;
    const message: GroupMessage = target
      ? this.messageOf(target, reader)
      : { id: entry.target, chat: this.log.chat, from: "", text: "", ts: entry.ts };
    return { pos: entry.pos, id: entry.id, message, change };
  }

  private messageOf(entry: LogEntry, reader: string): GroupMessage {
    const message: GroupMessage = {
      id: entry.id,
      chat: this.log.chat,
      from: entry.sender,
      text: entry.text,
      ts: entry.ts,
    };
    if (entry.clientId !== null && entry.sender === reader) message.clientId = entry.clientId;
    if (entry.system) message.system = entry.system;
    if (entry.replyTo !== null) {
      const quote = this.log.quote(entry.replyTo);
      if (quote) message.replyTo = quote;
    }
    if (entry.media !== null) message.media = entry.media;
    if (entry.editedAt !== null) message.editedAt = entry.editedAt;
    if (entry.deletedAt !== null) {
      message.deletedAt = entry.deletedAt;
      if (entry.deletedBy !== null) message.deletedBy = entry.deletedBy;
    } else if (!entry.system) {
      const reactions = this.reactions.of(entry.pos);
      if (reactions.length > 0) message.reactions = reactions;
    }
    if (entry.forwarded !== null) message.forwarded = entry.forwarded;
    return message;
  }
}
