// A guest's edits, deletes for everyone and reactions in the chat its host
// keeps (docs/one-copy-per-chat.md, "Changes in a hosted chat, as built"),
// as a group member's are decided by its group (../group/changes.ts): the
// host checks them with today's one-to-one rules (only the sender edits or
// deletes its message, within the action windows; anyone in the chat reacts),
// applies them to its one copy as a log entry with a position
// (./hosted-log.ts), shows them on its own devices, and answers the entry.
// Nothing calls this yet but its tests.
//
// One synchronous block in the write batch: the retry key (guest, clientId)
// is looked up first, so a retry answers the first answer and stores
// nothing; a refusal writes nothing; the change's rows and the chat row
// commit together (./hosted-log.ts) and the answer leaves after the commit.

import { AppError } from "../../shared/errors";
import { messageIdTime } from "../../shared/ids";
import type { ChatId, Media } from "../../shared/protocol";
import { asObject, parseWith } from "../../shared/schemas/check";
import { type HostedChange, hostedChangeKeySchema, hostedChangeSchema } from "../../shared/schemas/hosted";
import type { ActionWindows } from "../action-windows";
import type { GroupEntry } from "../group-entry";
import type { InboxChange } from "../inbox";
import { type HostSide, hosts } from "./hosted-append";
import { changeEntryOf } from "./hosted-reads";
import { missingMessage } from "./mailbox-archive-reads";
import { releaseMedia } from "./media-send";
import { broadcast } from "./sockets";

export interface ChangeHost extends HostSide {
  windows: ActionWindows;
}

/** The change's entry in the log: its id, time and position, and the entry as the guest takes it. */
export interface HostedChangeAnswer {
  id: string;
  ts: number;
  pos: number;
  entry: GroupEntry;
}

interface KeyRow {
  cid: string;
  kind: string;
  target: string;
  pos: number;
  guest: string | null;
  guest_client_id: string | null;
  [key: string]: SqlStorageValue;
}

interface TargetRow {
  sender: string;
  ts: number;
  system: string | null;
  deleted_at: number | null;
  change_id: string | null;
  pos: number | null;
  media: string | null;
  client_id: string | null;
  [key: string]: SqlStorageValue;
}

export async function hostedChange(
  me: ChangeHost,
  guest: string,
  clientId: string,
  input: unknown,
  now = Date.now(),
  retryOnly = false,
): Promise<HostedChangeAnswer> {
  const key = parseWith(hostedChangeKeySchema, { guest, clientId });
  const request = parseWith(hostedChangeSchema, asObject(input, "change", "invalid_body"));
  if (!hosts(me.userId, key.guest)) {
    throw new AppError("forbidden", "a one-to-one chat is hosted by the user whose id sorts first");
  }
  const freed: { media: string; clientId: string | null }[] = [];
  try {
    const answer = await me.writes.run(() => apply(me, key.guest, key.clientId, request, now, freed, retryOnly));
    // Deleted for everyone: the chat no longer refers to its media, as after a `delete` frame (./actions.ts).
    for (const f of freed) {
      const sent = { from: key.guest, clientId: f.clientId ?? undefined };
      releaseMedia(me.env, f.media, `u:${key.guest}`, me.userId, sent);
    }
    return answer;
  } catch (err) {
    // A message no longer in SQLite may be in R2: refused as such, as an `edit` frame is.
    if (err instanceof AppError && err.code === "unknown_message" && me.archive) {
      const archive = me.archive;
      throw await missingMessage((id) => archive.holds(id, true), request.id);
    }
    throw err;
  }
}

function apply(
  me: ChangeHost,
  guest: string,
  clientId: string,
  r: HostedChange,
  now: number,
  freed: { media: string; clientId: string | null }[],
  retryOnly: boolean,
): HostedChangeAnswer {
  const chat: ChatId = `u:${guest}`;
  if (me.mailbox.chatRows.get(chat)?.hosted_from == null) throw new AppError("not_found", "no such chat");
  const earlier = findByKey(me.sql, guest, clientId);
  if (earlier) return retried(me, guest, chat, earlier, r);
  // The guest blocked this user and asks only for a first answer (./hosted-guest-edit.ts): none, nothing written.
  if (retryOnly) throw new AppError("not_found", "no change with that clientId");
  // In the same turn as the write: a block made a moment ago is seen (./hosted-append.ts). A blocked guest's
  // edit or reaction is applied to the one copy, which is the guest's view, and kept from the host's devices
  // (no frame, none on sync: ./changes.ts `unseen`); its delete for everyone applies as today. No refusal
  // tells it was blocked.
  const unseen = me.blocks.has(guest) && r.action !== "delete";
  const target = me.sql
    .exec<TargetRow>(
      "SELECT sender, ts, system, deleted_at, change_id, pos, media, client_id FROM messages WHERE chat = ? AND id = ?",
      chat,
      r.id,
    )
    .toArray()[0];
  // Only the log's messages: one from before hosting is the guest's own copy's, changed as today.
  if (!target || target.pos === null) throw new AppError("unknown_message", "no such message in your chats");
  if (target.system !== null) throw new AppError("forbidden", "system messages cannot be edited or deleted");
  if (r.action === "edit" && target.sender !== guest) {
    throw new AppError("not_your_message", "only its sender may edit a message");
  }
  if (target.deleted_at !== null) throw new AppError("message_deleted", "that message was deleted");
  if (r.action === "delete" && target.sender !== guest) {
    throw new AppError("not_your_message", "only its sender may delete a message for everyone");
  }
  if (r.action !== "react" && now - target.ts > (r.action === "edit" ? me.windows.edit : me.windows.delete)) {
    throw new AppError("too_late", `the time to ${r.action} this message is over`);
  }
  // The change's id is this object's: the log's order (./hosted-log.ts).
  const { id: cid, ts } = me.ids.next(now);
  const place = { guest, guestClientId: clientId, unseen };
  let frame: ReturnType<typeof me.mailbox.changes.accept>;
  if (r.action === "react") {
    const item = { kind: "reaction" as const, cid, chat, id: r.id, from: guest, emoji: r.emoji ?? "" };
    frame = me.mailbox.reactions.accept(item, place);
  } else {
    const item: InboxChange = { kind: "change", cid, chat, id: r.id, from: guest, text: "" };
    if (r.action === "edit") {
      item.text = r.text;
      item.editedAt = ts;
    } else {
      item.deletedAt = ts;
      item.deletedBy = guest;
      if (target.media !== null)
        freed.push({ media: (JSON.parse(target.media) as Media).id, clientId: target.client_id });
    }
    frame = me.mailbox.changes.accept(item, place);
  }
  const stored = findByKey(me.sql, guest, clientId);
  if (!stored) throw new AppError("internal", "the change was not stored; try again");
  // The host's devices see it as a peer's change today; no frame: the host deleted the message for itself
  // (./changes.ts, `hide`), and the entry is the guest's only; or the host blocked the guest.
  if (frame && !unseen) broadcast(me.sockets(), frame);
  return answerOf(me, guest, chat, stored);
}

/** A retry: the first answer, if the key was used for this same change; nothing is written. */
function retried(me: ChangeHost, guest: string, chat: string, row: KeyRow, r: HostedChange): HostedChangeAnswer {
  const target = me.sql
    .exec<{ deleted_at: number | null; change_id: string | null }>(
      "SELECT deleted_at, change_id FROM messages WHERE chat = ? AND id = ?",
      chat,
      row.target,
    )
    .toArray()[0];
  const deleted = row.kind === "update" && target?.deleted_at != null && target.change_id === row.cid;
  const action = row.kind === "reacted" ? "react" : deleted ? "delete" : "edit";
  if (row.target !== r.id || action !== r.action) {
    throw new AppError("invalid_field", "clientId was already used for another action");
  }
  return answerOf(me, guest, chat, row);
}

function answerOf(me: ChangeHost, guest: string, chat: string, row: KeyRow): HostedChangeAnswer {
  return { id: row.cid, ts: messageIdTime(row.cid), pos: row.pos, entry: changeEntryOf(me, guest, chat, row) };
}

function findByKey(sql: SqlStorage, guest: string, clientId: string): KeyRow | null {
  return (
    sql
      .exec<KeyRow>(
        "SELECT cid, kind, target, pos, guest, guest_client_id FROM changes WHERE guest = ? AND guest_client_id = ?",
        guest,
        clientId,
      )
      .toArray()[0] ?? null
  );
}
