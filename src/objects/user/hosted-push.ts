// The host's hand-over to its guest in a chat it hosts (docs/one-copy-per-chat.md,
// "Pushes, as built"). The peer log (./peer-log.ts) and the outbox hand the
// host's own messages and changes over in order, as copies for the guest's
// mailbox (UserObject.accept). In a hosted chat, what has a position in the
// log (a message after `hosted_from`, a change entry of ./hosted-log.ts) goes
// instead as a `GroupEntry` (UserObject.takeHosted, ./inbound.ts): the guest
// takes it into its `u:<host>` row as a group member takes its group's entries,
// and stores no mailbox row. The rest (messages before hosting, their changes,
// receipts) still goes as copies, in the batch's order.
//
// A guest whose object takes copies (HOSTED_GUEST_SEND off there) answers null:
// the same items then go as copies, and so does everything for it until this
// object is evicted. Nothing is stored here: the caller moves `handed` (or
// forgets the outbox rows) only once every call answered, so a failure retries
// the whole batch, and the guest drops what it has by id.

import type { GroupEntry } from "../group-entry";
import type { InboxItem } from "../inbox";
import { hosts } from "./hosted-append";
import { type ChangeEntryRow, changeEntryOf, entryOf, type HostReader, POS_COLUMNS, type PosRow } from "./hosted-reads";
import type { ReactionNews } from "./web-push";

/** What the hand-over calls on the guest's object (UserObject's RPCs). */
export interface GuestTaker {
  accept(items: InboxItem[]): Promise<unknown>;
  takeHosted(host: string, entries: GroupEntry[], after: string, reactions?: ReactionNews[]): Promise<unknown>;
}

/** Consecutive items of a batch that go the same way: copies (`entries` null) or log entries. */
interface Segment {
  items: InboxItem[];
  entries: GroupEntry[] | null;
  /** The reactions among the entries, for the guest's Web Push (a change entry does not say it is one). */
  reactions: ReactionNews[];
}

export class HostedPush {
  /** Guests whose object answered that it takes copies, for this wake. */
  private readonly copies = new Set<string>();

  constructor(private readonly me: HostReader) {}

  /** Hands `items` to `target`'s object: as today, or as log entries where they have positions. */
  async deliver(target: string, items: InboxItem[], stub: GuestTaker): Promise<void> {
    const from = this.hostedFrom(target);
    if (from === null || this.copies.has(target)) {
      await stub.accept(items);
      return;
    }
    for (const segment of this.segments(target, from, items)) {
      if (segment.entries === null) {
        await stub.accept(segment.items);
        continue;
      }
      const first = segment.entries[0] as GroupEntry;
      const after = this.before(target, from, first);
      const taken = await stub.takeHosted(this.me.userId, segment.entries, after, segment.reactions);
      if (taken === null) {
        this.copies.add(target);
        await stub.accept(segment.items);
      }
    }
  }

  /** `hosted_from` of the chat with `target` if this object hosts it and hosting began; null otherwise. */
  private hostedFrom(target: string): string | null {
    if (target === this.me.userId || !hosts(this.me.userId, target)) return null;
    return this.me.mailbox.chatRows.get(`u:${target}`)?.hosted_from ?? null;
  }

  private segments(guest: string, from: string, items: InboxItem[]): Segment[] {
    const chat = `u:${guest}`;
    const messages = this.ownRows(chat, from, items);
    const segments: Segment[] = [];
    for (const item of items) {
      const entry = this.entryOf(guest, chat, item, messages);
      let last = segments.at(-1);
      if (last && (last.entries === null) === (entry === null)) {
        last.items.push(item);
        if (entry) last.entries?.push(entry);
      } else {
        last = { items: [item], entries: entry ? [entry] : null, reactions: [] };
        segments.push(last);
      }
      if (entry && item.kind === "reaction" && item.emoji !== "") {
        last.reactions.push({ chat: item.chat, from: item.from, emoji: item.emoji, message: entry.message });
      }
    }
    return segments;
  }

  /** The batch's own messages after `from` that have positions, read in one range (a batch is in id order). */
  private ownRows(chat: string, from: string, items: InboxItem[]): Map<string, PosRow> {
    const ids = items.flatMap((i) => (i.kind === "message" && i.id > from ? [i.id] : []));
    if (ids.length === 0) return new Map();
    const rows = this.me.sql
      .exec<PosRow>(
        `SELECT ${POS_COLUMNS} FROM messages WHERE chat = ? AND id >= ? AND id <= ? AND sender = ? AND pos IS NOT NULL`,
        chat,
        ids[0],
        ids.at(-1),
        this.me.userId,
      )
      .toArray();
    return new Map(rows.map((r) => [r.id, r]));
  }

  private entryOf(guest: string, chat: string, item: InboxItem, messages: Map<string, PosRow>): GroupEntry | null {
    if (item.kind === "message") {
      const row = messages.get(item.id);
      return row ? entryOf(this.me, guest, row) : null;
    }
    if (item.kind !== "change" && item.kind !== "reaction") return null;
    const row = this.me.sql
      .exec<ChangeEntryRow>(
        "SELECT cid, target, pos, guest, guest_client_id FROM changes WHERE chat = ? AND cid = ? AND pos IS NOT NULL",
        chat,
        item.cid,
      )
      .toArray()[0];
    return row ? changeEntryOf(this.me, guest, chat, row) : null;
  }

  /** The id of the log's entry just before `entry` ("" at the first): where the guest must stand to take it. */
  private before(guest: string, from: string, entry: GroupEntry): string {
    if (entry.pos <= 1) return "";
    const chat = `u:${guest}`;
    const message = this.me.sql
      .exec<{ id: string }>(
        "SELECT id FROM messages WHERE chat = ? AND id > ? AND id < ? AND pos IS NOT NULL ORDER BY id DESC LIMIT 1",
        chat,
        from,
        entry.id,
      )
      .toArray()[0]?.id;
    const change = this.me.sql
      .exec<{ cid: string }>(
        "SELECT cid FROM changes WHERE chat = ? AND cid < ? AND pos IS NOT NULL ORDER BY cid DESC LIMIT 1",
        chat,
        entry.id,
      )
      .toArray()[0]?.cid;
    return [message ?? "", change ?? ""].sort().at(-1) ?? "";
  }
}
