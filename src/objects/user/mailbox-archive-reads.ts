// Reading a user's mailbox through its archive (./mailbox-archive.ts): the
// reads that reach past SQLite, all of them async (an RPC, or a frame's
// handler before its synchronous block), so a page is awaited from R2 before
// anything is written and no write batch ever meets a page not in memory.
// What the synchronous paths need stays in SQLite (see KEPT there) or is
// read here before their batch (a quote, the refusal of a change). See
// docs/archive.md, "The mailbox".

import { AppError } from "../../shared/errors";
import type { ChatId, Message, Quote } from "../../shared/protocol";
import type { ArchivePage } from "../storage/archive-index";
import { textMatcher } from "../storage/archive-match";
import type { Mailbox } from "./mailbox";
import type { ArchivedRow, MailboxArchive } from "./mailbox-archive";
import { quoteOf } from "./quotes";

/** Archived pages one history read may look through: bounds one request's work and memory. */
export const READ_PAGES_MAX = 8;
/** Archived pages one search request scans, newest first; the client pages further with `before`. */
export const SEARCH_PAGES_MAX = 4;

export class MailboxArchiveReads {
  constructor(
    readonly archive: MailboxArchive,
    private readonly mailbox: Mailbox,
  ) {}

  /**
   * Whether a message not in SQLite is archived: for the refusals of edits,
   * deletes and reactions (`message_archived`), before their write batch.
   * The index answers most ids (no page's range holds it) without R2.
   * `hidden`: a hosted row the owner deleted for itself counts (a guest's change).
   */
  async holds(id: string, hidden = false): Promise<boolean> {
    return this.mailbox.findById(id, hidden) === null && (await this.row(null, id, hidden)) !== null;
  }

  /**
   * The archived row of a message (null: none). `archive_unreadable` if its page cannot be read.
   * `hidden`: a hosted row the owner deleted for itself is found too (./hidden.ts); by default, as in SQLite, not.
   */
  async row(chat: string | null, id: string, hidden = false): Promise<ArchivedRow | null> {
    for (const { page } of this.archive.chats.pagesFor(chat, id)) {
      const [rows] = await this.rowsOf([page]);
      const row = rows?.find((r) => r.id === id && (chat === null || r.chat === chat));
      if (row) return hidden || !row.hidden ? row : null;
    }
    return null;
  }

  /** A message from SQLite, or else from the archive. */
  async message(chat: string | null, id: string): Promise<Message | null> {
    const hot = this.mailbox.findById(id);
    if (hot) return hot;
    const row = await this.row(chat, id);
    return row ? this.mailbox.toMessage(row) : null;
  }

  /** The quote of an archived message, with its chat (null: not archived); `hidden` as for `row`. */
  async quote(id: string, hidden = false): Promise<{ quote: Quote; chat: string; system: boolean } | null> {
    const row = await this.row(null, id, hidden);
    return row ? { quote: quoteOf(row), chat: row.chat, system: row.system !== null } : null;
  }

  /**
   * One page of a chat, oldest first: SQLite's, completed from archived pages
   * holding the chat (highest ids first, at most READ_PAGES_MAX) until the
   * `limit` newest ids below `before` are known.
   */
  async history(chat: ChatId, before: string | undefined, limit: number): Promise<Message[]> {
    const hot = this.mailbox.history(chat, before, limit);
    const pages = this.archive.chats.pagesBefore(chat, before ?? "~", READ_PAGES_MAX);
    if (pages.length === 0) return hot;
    let rows: { id: string; message: () => Message }[] = hot.map((m) => ({ id: m.id, message: () => m }));
    for (const { page, maxId } of pages) {
      rows.sort((a, b) => (a.id < b.id ? 1 : -1));
      if (rows.length >= limit && (rows[limit - 1]?.id ?? "") > maxId) break;
      const [found = []] = await this.rowsOf([page]);
      for (const row of found) {
        if (row.chat !== chat || row.hidden || (before !== undefined && row.id >= before)) continue;
        rows.push({ id: row.id, message: () => this.mailbox.toMessage(row) });
      }
    }
    rows.sort((a, b) => (a.id < b.id ? 1 : -1));
    rows = rows.slice(0, limit);
    return rows.reverse().map((r) => r.message());
  }

  /** Whether `id` is an archived message (search's `before` may be one: hits come from pages too). */
  async has(id: string): Promise<boolean> {
    return (await this.row(null, id)) !== null;
  }

  /**
   * Search hits in archived pages (FTS5 covers SQLite only): the newest
   * SEARCH_PAGES_MAX pages holding ids below `before`, matched in code as the
   * index's tokenizer would; newest first.
   */
  async search(match: string, before: string | undefined, limit: number): Promise<Message[]> {
    const pages = this.archive.index.pagesBefore(before ?? "~", SEARCH_PAGES_MAX);
    if (pages.length === 0) return [];
    const matches = textMatcher(match);
    const hits: ArchivedRow[] = [];
    for (const rows of await this.rowsOf(pages)) {
      for (const row of rows) {
        if (row.system !== null || row.hidden || (before !== undefined && row.id >= before)) continue;
        const name = row.media === null ? "" : ((JSON.parse(row.media) as { name?: string }).name ?? "");
        if (matches(name ? `${row.text} ${name}` : row.text)) hits.push(row);
      }
    }
    hits.sort((a, b) => (a.id < b.id ? 1 : -1));
    return hits.slice(0, limit).map((row) => this.mailbox.toMessage(row));
  }

  /** The highest seq in a done page: below it, a sync reads messages from pages (and the rows kept in SQLite). */
  get archivedUpTo(): number {
    return this.archive.archivedUpTo;
  }

  /**
   * For sync: the archived messages of the pages after `after`, a few pages
   * at a time, each round loaded from R2 before `visit` runs synchronously
   * with the round's last seq and its messages (merged with those kept in
   * SQLite). Answers the seq up to which every round ran.
   */
  async rounds(
    after: number,
    visit: (from: number, upTo: number, messages: (cursor: number, limit: number) => Message[]) => void,
  ): Promise<number> {
    const upTo = this.archive.archivedUpTo;
    let cursor = after;
    while (cursor < upTo) {
      const pages = this.archive.index.pagesIn(cursor + 1, upTo, READ_PAGES_MAX);
      const end = pages.at(-1)?.last;
      if (end === undefined) break;
      const rows = (await this.rowsOf(pages)).flat();
      visit(cursor, end, (from, limit) => {
        // The page's messages, and those kept in SQLite in the same range (and beyond), by seq.
        const out: Message[] = this.mailbox.reads.messagesAfter(from, limit);
        let taken = 0;
        for (const row of rows) {
          if (row.seq <= from || row.hidden) continue;
          out.push(this.mailbox.toMessage(row));
          if (++taken === limit) break;
        }
        return out.sort((a, b) => a.seq - b.seq).slice(0, limit);
      });
      cursor = end;
    }
    return cursor;
  }

  /** Pages' rows, loaded from R2 if need be; `archive_unreadable` naming a page that cannot be read. */
  async rowsOf(pages: readonly ArchivePage[]): Promise<ArchivedRow[][]> {
    await this.archive.shelf.load(pages);
    try {
      return this.archive.shelf.rows(pages);
    } catch (err) {
      if (err instanceof AppError) throw err;
      throw new AppError("unavailable", "the archive is busy; try again");
    }
  }
}

/** A message of an action frame not in SQLite: archived (409 `message_archived`) or unknown. */
export async function missingMessage(
  archived: ((id: string) => Promise<boolean>) | undefined,
  id: string,
): Promise<AppError> {
  return (await archived?.(id))
    ? new AppError("message_archived", "that message is archived: it can no longer be changed")
    : new AppError("unknown_message", "no such message in your chats");
}
