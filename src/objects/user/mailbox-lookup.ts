// Finding a mailbox row by its id alone. Since schema step 13 the only index
// on ids is the unique `(chat, id)` (one index entry per message fewer than
// `id` unique beside it), so a lookup needs the chat: for what this object
// stored or pushed since it woke it is remembered here; otherwise each chat
// of the chat list is probed in that index (a few hundred lookups at most,
// never a scan of the messages). Every chat with rows has a row in `chats`
// (one-to-one, written when its first message is stored) or in
// `group_chats` (group messages stored before step 8).

const REMEMBERED_MAX = 5_000;

export class MessageLookup {
  /** id → chat, newest last (insertion order), for the ids this object handled this wake. */
  private readonly chats = new Map<string, string>();

  constructor(private readonly sql: SqlStorage) {}

  remember(id: string, chat: string): void {
    this.chats.delete(id);
    this.chats.set(id, chat);
    if (this.chats.size > REMEMBERED_MAX) {
      const oldest = this.chats.keys().next().value;
      if (oldest !== undefined) this.chats.delete(oldest);
    }
  }

  forget(id: string): void {
    this.chats.delete(id);
  }

  /** The chat of an id this object handled this wake, from memory only (undefined if not remembered). */
  remembered(id: string): string | undefined {
    return this.chats.get(id);
  }

  /** The chat of the mailbox row with this id (null if there is none). */
  chatOf(id: string): string | null {
    const known = this.chats.get(id);
    if (known !== undefined) return known;
    const row = this.sql
      .exec<{ chat: string }>(
        `SELECT m.chat AS chat FROM (SELECT chat FROM chats UNION ALL SELECT chat FROM group_chats) c
         CROSS JOIN messages m ON m.chat = c.chat AND m.id = ?1 LIMIT 1`,
        id,
      )
      .toArray()[0];
    if (row) this.remember(id, row.chat);
    return row?.chat ?? null;
  }
}
