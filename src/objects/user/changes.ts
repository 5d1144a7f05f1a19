// Edits and deletes in the user's mailbox. Each applied change is a NEW
// mailbox entry (its own seq, in `changes`) that also rewrites the stored
// message row, so that history shows the current text or the tombstone, the
// search index (triggers on `messages`) follows, and `sync` replays the change
// after the message, in order. An entry replays as the message's CURRENT
// state, so a deleted text never comes back through an older edit.
//
// A change is applied only if it is newer than the last one applied to that
// message (`cid` order; every change of one message comes from one clock:
// the sender's object, or the group's) and the message is not deleted; so a
// repeated delivery changes nothing and a delete is final ("delete wins").
// One that arrives before its message waits in `held_changes` until it comes.
// See docs/actions.md.

import type { ChatId, ServerFrame } from "../../shared/protocol";
import type { InboxChange, InboxReaction } from "../inbox";
import { forgetElsewhere, forgetForMe, keepsRow } from "./delete-for-me";
import type { Mailbox } from "./mailbox";
import { refreshQuotes } from "./quotes";

export type UpdateFrame = Extract<ServerFrame, { type: "update" | "removed" }>;

/** A change the guest of a chat hosted here asked for: its retry key (./hosted-changes.ts). */
export interface GuestKey {
  guest: string;
  guestClientId: string;
  /**
   * The owner blocked the guest: the change is the guest's only. Its cid goes to `forgotten` (./hidden.ts)
   * with its row, in the log's transaction, so the owner's sync skips it (`frame`); it makes nothing unread.
   */
  unseen?: boolean;
}

/** Where a change stands in a hosted chat's log (./hosted-log.ts), and whose key it carries. */
export type LogPlace = { pos: number } & Partial<GuestKey>;

interface TargetRow {
  sender: string;
  chat: string;
  text: string;
  edited_at: number | null;
  deleted_at: number | null;
  change_id: string | null;
  unread_mark: number | null;
  pos: number | null;
  [key: string]: SqlStorageValue;
}

interface ChangeRow {
  seq: number;
  cid: string;
  kind: string;
  chat: string;
  target: string;
  client_id: string | null;
  /** A position in a hosted chat's log; a fresh row's frame is given null (its cid cannot be marked yet). */
  pos: number | null;
  [key: string]: SqlStorageValue;
}

export class MessageChanges {
  // Both tables are almost always empty, and every message that arrives would
  // otherwise ask each of them about itself. Whether each may hold rows is
  // known after one look per wake: every writer of them is in this class.
  private mayHold: boolean | null = null;
  private mayForget: boolean | null = null;
  /** A quoted message changed (text, or null: deleted): set by ./parts.ts so the group rows' newest messages follow. */
  quoted: (id: string, text: string | null) => void = () => {};

  constructor(
    private readonly sql: SqlStorage,
    private readonly mailbox: Mailbox,
  ) {}

  /**
   * Applies, holds or ignores one change; answers the frame for the user's devices if it was applied.
   * A change of a message in a chat hosted here is an entry of its log too (./hosted-log.ts); `guest`:
   * the guest asked for it (./hosted-changes.ts), with its clientId as its retry key.
   */
  accept(item: InboxChange, guest?: GuestKey): UpdateFrame | null {
    // By (chat, id), the one index on ids (schema step 13): the chat from the lookup (./mailbox-lookup.ts).
    const chat = this.mailbox.chatOf(item.id);
    const row = this.sql
      .exec<TargetRow>(
        "SELECT sender, chat, text, edited_at, deleted_at, change_id, unread_mark, pos FROM messages WHERE chat = ? AND id = ?",
        chat,
        item.id,
      )
      .toArray()[0];
    if (!row) {
      if (this.isForgotten(item.id)) {
        // Deleted for me already; a quote of it may still hold its text.
        if (item.deletedAt !== undefined) {
          refreshQuotes(this.sql, item.id, null);
          this.quoted(item.id, null);
        }
      } else {
        this.hold(item.cid, item.id, item);
      }
      return null;
    }
    if (row.deleted_at !== null || (row.change_id !== null && item.cid <= row.change_id)) return null;
    if (row.chat !== item.chat || row.sender !== item.from) return null; // not this message: never from our objects
    const log = this.mailbox.hostedLog;
    if (!log.takes(row.pos, item.cid)) {
      this.apply(row, item);
      return this.record(item.cid, "update", item.chat, item.id, item.clientId);
    }
    return log.write(row.chat, (pos) => {
      const unseen = guest?.unseen === true;
      // The host keeps the text it saw while it blocks the guest; an edit it sees replaces it (./host-views.ts).
      if (item.deletedAt === undefined) {
        if (!unseen) this.mailbox.hostViews.drop(item.id, "text");
        else if (!this.isForgotten(item.id)) this.mailbox.hostViews.keepText(item.id, row.text, row.edited_at);
      }
      this.apply(row, item, unseen);
      return this.record(item.cid, "update", item.chat, item.id, item.clientId, { pos, ...guest });
    });
  }

  private apply(row: TargetRow, item: InboxChange, unseen = false): void {
    const own = row.sender === this.mailbox.owner;
    if (item.deletedAt !== undefined) {
      this.sql.exec(
        "UPDATE messages SET text = '', media = NULL, deleted_at = ?, deleted_by = ?, change_id = ? WHERE chat = ? AND id = ?",
        item.deletedAt,
        item.deletedBy ?? item.from,
        item.cid,
        row.chat,
        item.id,
      );
      refreshQuotes(this.sql, item.id, null);
      this.quoted(item.id, null);
      this.mailbox.hostViews.drop(item.id, "all");
    } else if (item.text === row.text && (item.editedAt ?? null) === row.edited_at) {
      // Not an edit: a reaction in a group to a copy stored before step 8 travels as the message's
      // state. Only its change id moves; the text (and so the search index) is not written again.
      this.sql.exec("UPDATE messages SET change_id = ? WHERE chat = ? AND id = ?", item.cid, row.chat, item.id);
    } else {
      // Others' edited messages are unread again, so that reading them sends a new read receipt:
      // one read before is marked in the same row write (./mailbox-receipts.ts).
      // Not a row hidden from the owner (./hidden.ts): it is counted nowhere, so it is never unread again.
      const again =
        !own &&
        !unseen &&
        row.unread_mark === null &&
        this.mailbox.positions.readBefore(row.chat, item.id) &&
        !this.isForgotten(item.id);
      this.sql.exec(
        `UPDATE messages SET text = ?, edited_at = ?, change_id = ?, unread_mark = CASE WHEN ? THEN 1 ELSE unread_mark END
         WHERE chat = ? AND id = ?`,
        item.text,
        item.editedAt ?? null,
        item.cid,
        again ? 1 : 0,
        row.chat,
        item.id,
      );
      refreshQuotes(this.sql, item.id, item.text);
      this.quoted(item.id, item.text);
      if (own) this.mailbox.marks.resetReads(item.id);
      else if (again) this.mailbox.positions.unreadAgain(row.chat);
    }
  }

  /** A change (or a reaction, ./reactions.ts) that arrived before its message: applied when it comes. */
  hold(cid: string, target: string, item: InboxChange | InboxReaction): void {
    this.sql.exec(
      "INSERT OR IGNORE INTO held_changes (cid, target, item) VALUES (?, ?, ?)",
      cid,
      target,
      JSON.stringify(item),
    );
    this.mayHold = true;
  }

  /** After message `id` was stored: the changes that arrived before it, in order. */
  release(id: string): UpdateFrame[] {
    this.mayHold ??= this.sql.exec("SELECT 1 FROM held_changes LIMIT 1").toArray().length > 0;
    if (!this.mayHold) return [];
    const held = this.sql
      .exec<{ item: string }>("DELETE FROM held_changes WHERE target = ? RETURNING item", id)
      .toArray()
      .map((row) => JSON.parse(row.item) as InboxChange | InboxReaction)
      .sort((a, b) => (a.cid < b.cid ? -1 : a.cid > b.cid ? 1 : 0));
    const frames: UpdateFrame[] = [];
    for (const item of held) {
      const frame = item.kind === "reaction" ? this.mailbox.reactions.accept(item) : this.accept(item);
      if (frame) frames.push(frame);
    }
    return frames;
  }

  /** Delete for me (./delete-for-me.ts). */
  forget(id: string, cid: string, clientId: string): UpdateFrame | null {
    return forgetForMe(this.sql, this.mailbox, id, cid, clientId);
  }

  /** Whether a delete for me of `id` keeps its row: a row of a chat hosted here, the guest's only copy. */
  keeps(id: string): boolean {
    return keepsRow(this.sql, this.mailbox, id);
  }

  /** Delete for me of a message this mailbox has no row of (./delete-for-me.ts). */
  forgetElsewhere(message: { id: string; chat: string }, cid: string, clientId: string): UpdateFrame | null {
    return forgetElsewhere(this.mailbox, message, cid, clientId);
  }

  /** Ids that must not come back (see `forget`, and messages dropped from a blocked user). */
  isForgotten(id: string): boolean {
    this.mayForget ??= this.sql.exec("SELECT 1 FROM forgotten LIMIT 1").toArray().length > 0;
    if (!this.mayForget) return false;
    return this.sql.exec("SELECT 1 FROM forgotten WHERE id = ?", id).toArray().length > 0;
  }

  remember(id: string): void {
    this.sql.exec("INSERT OR IGNORE INTO forgotten (id) VALUES (?)", id);
    this.mayForget = true;
  }

  /** The first answer to a change this user made with `clientId`, for a retry (null if none). */
  findByClientId(clientId: string): UpdateFrame | null {
    const row = this.sql.exec<ChangeRow>("SELECT * FROM changes WHERE client_id = ?", clientId).toArray()[0];
    return row ? this.frame(row) : null;
  }

  /** Entries after a sync cursor, in seq order; an update of a message since deleted for me has no frame. */
  after(after: number, limit: number): { seq: number; frame: UpdateFrame | null }[] {
    return this.sql
      .exec<ChangeRow>("SELECT * FROM changes WHERE seq > ? ORDER BY seq LIMIT ?", after, limit)
      .toArray()
      .map((row) => ({ seq: row.seq, frame: this.frame(row) }));
  }

  /** A new entry of the mailbox (its own seq) for a change, and its frame. */
  record(cid: string, kind: "update" | "removed", chat: string, target: string, clientId?: string, place?: LogPlace) {
    const seq = this.mailbox.nextSeq();
    // A clientId the client already used for another change is not stored again.
    const used =
      clientId !== undefined &&
      this.sql.exec("SELECT 1 FROM changes WHERE client_id = ?", clientId).toArray().length > 0;
    const key = clientId !== undefined && !used ? clientId : null;
    this.sql.exec(
      `INSERT INTO changes (seq, cid, kind, chat, target, client_id, pos, guest, guest_client_id)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      seq,
      cid,
      kind,
      chat,
      target,
      key,
      place?.pos ?? null,
      place?.guest ?? null,
      place?.guestClientId ?? null,
    );
    if (place?.unseen) this.remember(cid);
    return this.frame({ seq, cid, kind, chat, target, client_id: key, pos: null });
  }

  private frame(row: ChangeRow): UpdateFrame | null {
    // A blocked guest's edit or reaction in a chat hosted here is not the owner's to see (./hosted-changes.ts).
    if (row.pos !== null && this.isForgotten(row.cid)) return null;
    const clientId = row.client_id === null ? {} : { clientId: row.client_id };
    if (row.kind === "removed") {
      return { type: "removed", seq: row.seq, chat: row.chat as ChatId, id: row.target, ...clientId };
    }
    const message = this.mailbox.findById(row.target);
    return message ? { type: "update", seq: row.seq, message, ...clientId } : null;
  }
}
