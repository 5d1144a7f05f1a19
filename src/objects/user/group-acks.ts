// A member's acknowledgements of group messages, as watermarks: its devices'
// `received` frames are gathered per group into "delivered up to" (the newest
// id) and ride back on the answer to the group's next push (`claim`), or are
// handed to the group after ACK_BATCH_MS when no push came, one call per
// group; a `read` goes at once, since the answer is the chat's unread count. The group
// works out which messages that covers and tells their senders in batches
// (group/receipts.ts): no row and no call per message per member here.

import { AppError, type Result } from "../../shared/errors";
import { originOf } from "../group-entry";
import type { GroupChats } from "./group-chats";
import { hosts } from "./hosted-append";

export const ACK_BATCH_MS = 250;

export interface GroupAcker {
  userId: string;
  env: Env;
  groups: GroupChats;
  /** Whether the id is a row of this mailbox (a copy): then its receipt is a one-to-one one. */
  inMailbox?: (id: string) => boolean;
}

export class GroupAcks {
  private readonly pending = new Map<string, string>();
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(private readonly me: GroupAcker) {}

  private ack(chat: string, delivered: string, read: string): Promise<Result<{ unread: number | null }>> {
    const upto = this.me.groups.get(chat)?.upto ?? "";
    // A hosted one-to-one chat (`u:<host>`): its host keeps the positions, as a group does.
    if (chat.startsWith("u:")) {
      const host = this.me.env.USERS.get(this.me.env.USERS.idFromName(chat.slice(2)));
      return host.hostedAck(this.me.userId, delivered, read, upto);
    }
    return this.me.env.GROUPS.get(this.me.env.GROUPS.idFromName(chat.slice(2))).ack(
      this.me.userId,
      delivered,
      read,
      upto,
    );
  }

  /** Takes the ids of group messages out of a `received` frame; answers the others (one-to-one). */
  received(ids: readonly string[]): string[] {
    const rest: string[] = [];
    for (const id of ids) {
      const chat = this.logOf(id);
      if (chat === null) {
        rest.push(id);
        continue;
      }
      if (id > (this.pending.get(chat) ?? "")) this.pending.set(chat, id);
    }
    if (this.pending.size > 0) {
      this.timer ??= setTimeout(() => {
        this.timer = null;
        this.flush();
      }, ACK_BATCH_MS);
    }
    return rest;
  }

  /** The chat whose log holds the id, for a group or a hosted chat this object takes; null: a mailbox row's. */
  logOf(id: string): string | null {
    const origin = originOf(id);
    if (this.me.groups.get(`g:${origin}`)) return `g:${origin}`;
    const hosted = `u:${origin}`;
    if (!hosts(origin, this.me.userId) || !this.me.groups.get(hosted)) return null;
    return this.me.inMailbox?.(id) ? null : hosted;
  }

  /**
   * The group is pushing to this object: the watermark gathered for it rides
   * on the answer instead of a call of its own. Lost with the group if it
   * dies before it takes it, as a call's would be: the next ack carries it.
   */
  claim(chat: string): string | undefined {
    const delivered = this.pending.get(chat);
    this.pending.delete(chat);
    return delivered;
  }

  /** Hands every gathered watermark to its group. Lost with the object if it dies first: the next ack carries it. */
  flush(): void {
    for (const [chat, delivered] of this.pending) {
      this.ack(chat, delivered, "").catch((err: unknown) => {
        console.warn(JSON.stringify({ event: "group_ack_failed", chat, error: String(err) }));
      });
    }
    this.pending.clear();
  }

  /** The chat is read up to `upTo` on a device: the group's count of what is left unread is kept. */
  async read(chat: string, upTo: string): Promise<void> {
    const delivered = this.pending.get(chat) ?? "";
    this.pending.delete(chat);
    let answer: Result<{ unread: number | null }>;
    try {
      answer = await this.ack(chat, delivered, upTo);
    } catch (err) {
      console.warn(JSON.stringify({ event: "group_read_failed", chat, error: String(err) }));
      throw new AppError("unavailable", "the group could not be reached; try again");
    }
    if (!answer.ok) throw new AppError(answer.error.code, answer.error.message);
    this.me.groups.setRead(chat, upTo, answer.value.unread);
  }
}
