// The chats as last seen, kept in localStorage per user, so that the page
// opened offline (the service worker serves it) shows them at once. The
// newest SNAPSHOT_MESSAGES messages of each chat, the names it needs and the
// receipts of those messages; the sync after connecting merges over it by id,
// as it merges everything. Written at most once a second, dropped at logout.

import type { Group, Message, User } from "../../shared/protocol";
import type { Chats } from "./chats";
import type { Directory } from "./directory";
import type { ReceiptBook } from "./ticks";

const WRITE_EVERY_MS = 1000;

const PER_CHAT = 50;
/** Past this the snapshot keeps fewer messages per chat (localStorage holds about 5 MB per origin). */
const MAX_CHARS = 1_500_000;

interface Snapshot {
  chats: { chat: Message["chat"]; unread: number; messages: Message[] }[];
  users: User[];
  groups: Group[];
  receipts: [string, [string, { delivered?: number; read?: number }][]][];
}

const key = (userId: string) => `edge-chat.snapshot.${userId}`;

/** Puts the saved chats and names back; answers the saved receipts (null without a snapshot). */
export function restoreSnapshot(userId: string, chats: Chats, directory: Directory): ReceiptBook | null {
  let snapshot: Snapshot;
  try {
    const raw = localStorage.getItem(key(userId));
    if (!raw) return null;
    snapshot = JSON.parse(raw) as Snapshot;
  } catch {
    return null;
  }
  for (const user of snapshot.users) directory.users.set(user.id, user);
  for (const group of snapshot.groups) directory.groups.set(group.id, group);
  for (const saved of snapshot.chats) {
    for (const message of saved.messages) chats.add(message);
    chats.entry(saved.chat).unread = saved.unread;
  }
  return new Map(snapshot.receipts.map(([id, book]) => [id, new Map(book)]));
}

/** Writes the snapshot at most once a second, from the state as it is then. */
export class SnapshotWriter {
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly state: () => State | null) {}

  soon(): void {
    if (this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      const state = this.state();
      if (state) save(state);
    }, WRITE_EVERY_MS);
  }

  /** At logout: nothing of this user's chats stays in the browser. */
  drop(userId: string): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    localStorage.removeItem(key(userId));
  }
}

interface State {
  userId: string;
  chats: Chats;
  directory: Directory;
  receipts: ReceiptBook;
}

function save({ userId, chats, directory, receipts }: State): void {
  for (let perChat = PER_CHAT; perChat >= 5; perChat = Math.floor(perChat / 2)) {
    const kept = chats
      .list()
      .map((e) => ({ chat: e.chat, unread: e.unread, messages: chats.sorted(e.chat).slice(-perChat) }));
    const ids = new Set(kept.flatMap((c) => c.messages.map((m) => m.id)));
    const snapshot: Snapshot = {
      chats: kept,
      users: [...directory.users.values()],
      groups: [...directory.groups.values()],
      receipts: [...receipts].filter(([id]) => ids.has(id)).map(([id, book]) => [id, [...book]]),
    };
    const text = JSON.stringify(snapshot);
    if (text.length > MAX_CHARS) continue;
    try {
      localStorage.setItem(key(userId), text);
    } catch {
      // full or refused: the next load syncs from the server, as without a snapshot
    }
    return;
  }
}
