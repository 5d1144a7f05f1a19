// A member's acknowledgements of group messages, as watermarks: its devices'
// `received` frames are gathered per group into "delivered up to" (the newest
// id) and ride back on the answer to the group's next push (`claim`), or are
// handed to the group after ACK_BATCH_MS when no push came, one call per
// group. A `read` up to the newest entry this object took (a device reading
// what just came, the usual case) leaves nothing unread, which this object
// knows without the group: it is gathered the same way. A read further back
// goes at once, since the group counts what is left unread after it. The
// group works out which messages that covers and tells their senders in
// batches (group/receipts.ts): no row and no call per message per member here.

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

/** What the devices acknowledged in one chat, not handed to its group yet ("": nothing). */
interface Gathered {
  delivered: string;
  read: string;
}

export class GroupAcks {
  private readonly pending = new Map<string, Gathered>();
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(private readonly me: GroupAcker) {}

  /** With `count`, the answer has the chat's unread count after `read`; without, no count is made. */
  private ack(
    chat: string,
    delivered: string,
    read: string,
    count: boolean,
  ): Promise<Result<{ unread: number | null }>> {
    const upto = count ? (this.me.groups.get(chat)?.upto ?? "") : "";
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
      const gathered = this.gathered(chat);
      if (id > gathered.delivered) gathered.delivered = id;
    }
    if (this.pending.size > 0) this.flushSoon();
    return rest;
  }

  private gathered(chat: string): Gathered {
    let gathered = this.pending.get(chat);
    if (!gathered) {
      gathered = { delivered: "", read: "" };
      this.pending.set(chat, gathered);
    }
    return gathered;
  }

  private flushSoon(): void {
    this.timer ??= setTimeout(() => {
      this.timer = null;
      this.flush();
    }, ACK_BATCH_MS);
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
   * The group is pushing to this object: the watermarks gathered for it ride
   * on the answer instead of a call of their own. Lost with the group if it
   * dies before it takes them, as a call's would be: the next ack carries them.
   */
  claim(chat: string): { delivered?: string; read?: string } {
    const gathered = this.pending.get(chat);
    this.pending.delete(chat);
    if (!gathered) return {};
    return {
      ...(gathered.delivered !== "" ? { delivered: gathered.delivered } : {}),
      ...(gathered.read !== "" ? { read: gathered.read } : {}),
    };
  }

  /**
   * Hands every gathered watermark to its group. Lost with the object if it
   * dies first (a read too: this object's row keeps it, the group's receipts
   * wait for the next read, see docs/groups.md): the next ack carries it.
   */
  flush(): void {
    for (const [chat, { delivered, read }] of this.pending) {
      this.ack(chat, delivered, read, false).catch((err: unknown) => {
        console.warn(JSON.stringify({ event: "group_ack_failed", chat, error: String(err) }));
      });
    }
    this.pending.clear();
  }

  /** The chat is read up to `upTo` on a device: the group's count of what is left unread is kept. */
  async read(chat: string, upTo: string): Promise<void> {
    const row = this.me.groups.get(chat);
    if (chat.startsWith("g:") && row && upTo >= row.upto) {
      // Nothing taken after it: nothing left unread, as the group would count.
      const gathered = this.gathered(chat);
      if (upTo > gathered.read) gathered.read = upTo;
      this.me.groups.setRead(chat, upTo, 0);
      return this.flushSoon();
    }
    const gathered = this.pending.get(chat);
    this.pending.delete(chat);
    const read = gathered && gathered.read > upTo ? gathered.read : upTo;
    let answer: Result<{ unread: number | null }>;
    try {
      answer = await this.ack(chat, gathered?.delivered ?? "", read, true);
    } catch (err) {
      console.warn(JSON.stringify({ event: "group_read_failed", chat, error: String(err) }));
      throw new AppError("unavailable", "the group could not be reached; try again");
    }
    if (!answer.ok) throw new AppError(answer.error.code, answer.error.message);
    this.me.groups.setRead(chat, read, answer.value.unread);
  }
}
