// What the mailbox knows of its archived pages without reading R2, beside
// storage/archive-index.ts's one row per page: per page, the chats it holds
// with their lowest and highest message ids (user schema step 13). A mailbox's
// ids do not grow with its seqs (a received message carries its sender's id),
// so a page is found for a (chat, id) by these ranges, not by the page's
// positions. History skips pages without the chat; quotes, message info and
// the refusal of edits look here first. See docs/archive.md, "The mailbox".

import type { ArchiveIndex, ArchivePage } from "../storage/archive-index";

export const ARCHIVE_CHATS_TABLE = `CREATE TABLE archive_chats (
  chat TEXT NOT NULL,
  page INTEGER NOT NULL,
  min_id TEXT NOT NULL,
  max_id TEXT NOT NULL,
  count INTEGER NOT NULL,
  PRIMARY KEY (chat, page)
) WITHOUT ROWID`;

/** A page with the lowest and highest id it holds of one chat. */
export interface ChatPage {
  page: ArchivePage;
  minId: string;
  maxId: string;
}

export class ArchiveChats {
  constructor(
    private readonly sql: SqlStorage,
    private readonly index: ArchiveIndex,
  ) {}

  /** In the transaction that finishes a page: the chats of its rows. */
  record(page: number, rows: readonly { chat: string; id: string }[]): void {
    const chats = new Map<string, { min: string; max: string; count: number }>();
    for (const row of rows) {
      const c = chats.get(row.chat);
      if (!c) chats.set(row.chat, { min: row.id, max: row.id, count: 1 });
      else {
        if (row.id < c.min) c.min = row.id;
        if (row.id > c.max) c.max = row.id;
        c.count += 1;
      }
    }
    for (const [chat, c] of chats) {
      this.sql.exec(
        "INSERT OR REPLACE INTO archive_chats (chat, page, min_id, max_id, count) VALUES (?, ?, ?, ?, ?)",
        chat,
        page,
        c.min,
        c.max,
        c.count,
      );
    }
  }

  /** Done pages holding messages of `chat` with ids below `before`, highest id first, at most `limit`. */
  pagesBefore(chat: string, before: string, limit: number): ChatPage[] {
    return this.pages(
      `SELECT page, min_id, max_id FROM archive_chats WHERE chat = ? AND min_id < ? ORDER BY max_id DESC LIMIT ?`,
      chat,
      before,
      limit,
    );
  }

  /** Done pages whose range of `chat` (any chat: null) includes `id`: where it is if it was archived. */
  pagesFor(chat: string | null, id: string): ChatPage[] {
    return chat === null
      ? this.pages("SELECT page, min_id, max_id FROM archive_chats WHERE min_id <= ?1 AND max_id >= ?1 LIMIT 8", id)
      : this.pages(
          "SELECT page, min_id, max_id FROM archive_chats WHERE chat = ?1 AND min_id <= ?2 AND max_id >= ?2 LIMIT 8",
          chat,
          id,
        );
  }

  /** Done pages holding messages of `chat` with ids above `after`, lowest id first, at most `limit`. */
  pagesAfter(chat: string, after: string, limit: number): ChatPage[] {
    return this.pages(
      "SELECT page, min_id, max_id FROM archive_chats WHERE chat = ? AND max_id > ? ORDER BY min_id LIMIT ?",
      chat,
      after,
      limit,
    );
  }

  /** The first seqs of the pages holding messages of `chat`, in seq order (one row a page: a few per 500 messages). */
  pageNumbers(chat: string): number[] {
    return this.sql
      .exec<{ page: number }>("SELECT page FROM archive_chats WHERE chat = ? ORDER BY page", chat)
      .toArray()
      .map((r) => r.page);
  }

  /** The done page whose first seq is `first` (null: none). */
  page(first: number): ArchivePage | null {
    const page = this.index.pagesIn(first, first, 1)[0];
    return page && page.first === first ? page : null;
  }

  /** Messages archived (counts for operators and tests). */
  messages(): number {
    return this.sql.exec<{ n: number | null }>("SELECT sum(count) AS n FROM archive_chats").one().n ?? 0;
  }

  private pages(query: string, ...params: SqlStorageValue[]): ChatPage[] {
    const out: ChatPage[] = [];
    for (const row of this.sql.exec<{ page: number; min_id: string; max_id: string }>(query, ...params)) {
      const page = this.page(row.page);
      if (page) out.push({ page, minId: row.min_id, maxId: row.max_id });
    }
    return out;
  }
}
