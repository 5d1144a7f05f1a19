// Changes in the log of a chat hosted here (docs/one-copy-per-chat.md,
// "Changes in a hosted chat, as built"; schema step 20, ./schema-v20.ts). As
// in a group's log, an edit, a delete for everyone and a reaction of a
// message in the log are entries of their own: the change's `changes` row
// takes the chat's next position, from the counter its messages take theirs
// from (`chats.next_pos`).
//
// Unlike a message's, a change's position cannot be found again after a
// crash from the message rows (./mailbox-chats-repair.ts reads messages),
// so the chat row is written with the change, in one transaction: the
// message's new state, the change row and the chat row, or none of them.

import { AppError } from "../../shared/errors";
import { originOf } from "../group-entry";
import type { ChatRows } from "./mailbox-chats";

export class HostedLog {
  /** The object's transaction (ctx.storage.transactionSync); set by the object, plain calls in bare tests. */
  transaction: <T>(fn: () => T) => T = (fn) => fn();

  constructor(
    private readonly rows: ChatRows,
    private readonly owner: string,
  ) {}

  /**
   * Whether change `cid` of a message at log position `targetPos` is an
   * entry of its chat's log: the message is in a hosted log (it has a
   * position), and the change was made by this object's clock (a change the
   * peer's object sent the old way keeps its own clock's id, which does not
   * sort with the log's, and stays a plain mailbox entry).
   */
  takes(targetPos: number | null, cid: string): boolean {
    return targetPos !== null && originOf(cid) === this.owner;
  }

  /**
   * Runs `write` (the change's rows) with the chat's next position, and
   * writes the chat row in the same transaction. A failure leaves none of
   * it, and memory lets go of the chat row.
   */
  write<T>(chat: string, write: (pos: number) => T): T {
    const pos = this.rows.nextPos(chat);
    if (pos === null) throw new AppError("internal", "that chat is not hosted here");
    try {
      // Every other row waiting goes first, outside the transaction, as a guest's message does
      // (./hosted-append.ts); if that fails, they stay waiting in memory, this chat's too.
      this.rows.flush();
    } catch (err) {
      throw failed(chat, err);
    }
    try {
      return this.transaction(() => {
        const result = write(pos);
        this.rows.update(chat, (r) => {
          r.next_pos = pos + 1;
        });
        this.rows.flush();
        return result;
      });
    } catch (err) {
      // Undone: memory reads the row again, as stored before the transaction.
      this.rows.forget(chat);
      throw failed(chat, err);
    }
  }
}

function failed(chat: string, err: unknown): AppError {
  if (err instanceof AppError) return err;
  console.warn(JSON.stringify({ event: "hosted_change_failed", chat, error: String(err) }));
  return new AppError("internal", "the change was not stored; try again");
}
