// Reactions to one-to-one messages (and to group messages stored before
// schema step 8), beside the message in both mailboxes, as edits are: the
// reactor's object is the authority on its own reaction, stores it in its
// mailbox and hands it to the peer through the outbox, in one block. Each
// mailbox keeps one row per person (the newest by `cid`, the reactor's clock,
// so a late or repeated delivery changes nothing) and ONE mailbox entry per
// reacted message, moved to a new seq at each reaction: sync replays the
// message's final state once, not every step. See docs/actions.md.

import type { Reaction, ServerFrame } from "../../shared/protocol";
import type { InboxReaction } from "../inbox";
import type { GuestKey, LogPlace } from "./changes";
import type { Mailbox } from "./mailbox";

type UpdateFrame = Extract<ServerFrame, { type: "update" }>;

export class MailboxReactions {
  /** Whether any row may exist (looked up once per wake): messages are read without a lookup each until one does. */
  private mayHold: boolean | null = null;

  constructor(
    private readonly sql: SqlStorage,
    private readonly mailbox: Mailbox,
  ) {}

  /** The reactions to message `id`, oldest first. */
  of(id: string): Reaction[] {
    this.mayHold ??= this.sql.exec("SELECT 1 FROM reactions LIMIT 1").toArray().length > 0;
    if (!this.mayHold) return [];
    return this.sql
      .exec<{ user_id: string; emoji: string }>(
        "SELECT user_id, emoji FROM reactions WHERE target = ? AND emoji != '' ORDER BY cid",
        id,
      )
      .toArray()
      .map((row) => ({ from: row.user_id, emoji: row.emoji }));
  }

  /**
   * Applies, holds (before its message) or ignores one reaction; answers the frame for the devices if applied.
   * In a chat hosted here it is an entry of the log (./hosted-log.ts); `guest`: the guest asked for it.
   */
  accept(item: InboxReaction, guest?: GuestKey): UpdateFrame | null {
    const row = this.sql
      .exec<{ chat: string; deleted_at: number | null; system: string | null; pos: number | null }>(
        "SELECT chat, deleted_at, system, pos FROM messages WHERE chat = ? AND id = ?",
        this.mailbox.chatOf(item.id),
        item.id,
      )
      .toArray()[0];
    if (!row) {
      // Its message is on its way (messages and reactions travel apart): held until it comes.
      if (!this.mailbox.changes.isForgotten(item.id)) this.mailbox.changes.hold(item.cid, item.id, item);
      return null;
    }
    if (row.chat !== item.chat || row.system !== null || row.deleted_at !== null) return null;
    const log = this.mailbox.hostedLog;
    if (log.takes(row.pos, item.cid)) {
      // This object's clock orders the log: the reaction replaces the person's last one, whatever its id.
      return log.write(row.chat, (pos) => {
        // The guest's reaction as the host saw it, kept while it blocks the guest (./host-views.ts).
        if (row.chat === `u:${item.from}`) {
          const views = this.mailbox.hostViews;
          if (!guest?.unseen) views.drop(item.id, "reaction");
          else if (!this.mailbox.changes.isForgotten(item.id)) views.keepReaction(item.id, item.from);
        }
        this.sql.exec(
          `INSERT INTO reactions (target, user_id, emoji, cid, client_id) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (target, user_id) DO UPDATE SET emoji = excluded.emoji, cid = excluded.cid, client_id = excluded.client_id`,
          item.id,
          item.from,
          item.emoji,
          item.cid,
          item.clientId ?? guest?.guestClientId ?? null,
        );
        this.mayHold = true;
        return this.logEntry(item, { pos, ...guest });
      });
    }
    const written = this.sql.exec(
      `INSERT INTO reactions (target, user_id, emoji, cid, client_id) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (target, user_id) DO UPDATE SET emoji = excluded.emoji, cid = excluded.cid, client_id = excluded.client_id
       WHERE excluded.cid > reactions.cid`,
      item.id,
      item.from,
      item.emoji,
      item.cid,
      item.clientId ?? null,
    ).rowsWritten;
    if (written === 0) return null; // a repeated or older delivery
    this.mayHold = true;
    return this.entry(item.chat, item.id, item.cid, item.clientId);
  }

  /** A retried `react` frame: the first answer (the message as it is now), or null if it was not applied here. */
  answerRetry(id: string, clientId: string): UpdateFrame | null {
    const row = this.sql
      .exec<{ client_id: string | null; cid: string }>(
        "SELECT client_id, cid FROM reactions WHERE target = ? AND user_id = ?",
        id,
        this.mailbox.owner,
      )
      .toArray()[0];
    if (row?.client_id !== clientId) return null;
    // The message's one react entry; in a hosted chat's log, the reaction's own entry (schema step 20).
    const entry =
      this.sql.exec<{ seq: number }>("SELECT seq FROM changes WHERE kind = 'react' AND target = ?", id).toArray()[0] ??
      this.sql
        .exec<{ seq: number }>(
          "SELECT seq FROM changes WHERE chat = ? AND cid = ? AND pos IS NOT NULL",
          this.mailbox.chatOf(id),
          row.cid,
        )
        .toArray()[0];
    const message = this.mailbox.findById(id);
    return entry && message ? { type: "update", seq: entry.seq, message, clientId } : null;
  }

  /** After a delete for me: the message's reactions go with it. */
  forget(id: string): void {
    if (this.mayHold === false) return;
    this.sql.exec("DELETE FROM reactions WHERE target = ?", id);
  }

  /** The message's one react entry, at the next seq (moved there, or made). */
  private entry(chat: string, target: string, cid: string, clientId?: string): UpdateFrame | null {
    const seq = this.mailbox.nextSeq();
    const moved = this.sql.exec(
      "UPDATE changes SET seq = ?, cid = ? WHERE kind = 'react' AND target = ?",
      seq,
      cid,
      target,
    ).rowsWritten;
    if (moved === 0) {
      this.sql.exec(
        "INSERT INTO changes (seq, cid, kind, chat, target, client_id) VALUES (?, ?, 'react', ?, ?, NULL)",
        seq,
        cid,
        chat,
        target,
      );
    }
    const message = this.mailbox.findById(target);
    return message ? { type: "update", seq, message, ...(clientId === undefined ? {} : { clientId }) } : null;
  }

  /** A reaction in a hosted chat's log: an entry of its own (kind `reacted`) at each reaction, as in a group's. */
  private logEntry(item: InboxReaction, place: LogPlace): UpdateFrame | null {
    const seq = this.mailbox.nextSeq();
    this.sql.exec(
      `INSERT INTO changes (seq, cid, kind, chat, target, client_id, pos, guest, guest_client_id)
       VALUES (?, ?, 'reacted', ?, ?, NULL, ?, ?, ?)`,
      seq,
      item.cid,
      item.chat,
      item.id,
      place.pos,
      place.guest ?? null,
      place.guestClientId ?? null,
    );
    // A blocked guest's reaction: not the owner's to see, on sync either (./changes.ts, `unseen`).
    if (place.unseen) this.mailbox.changes.remember(item.cid);
    const message = this.mailbox.findById(item.id);
    const clientId = item.clientId === undefined ? {} : { clientId: item.clientId };
    return message ? { type: "update", seq, message, ...clientId } : null;
  }
}
