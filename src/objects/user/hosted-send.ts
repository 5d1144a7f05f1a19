// The guest's own send in a one-to-one chat its peer hosts (docs/one-copy-per-chat.md,
// "The guest's send, as built"). Behind a switch (wrangler.toml says): the
// HOSTED_GUEST_SEND var, read at each send from the object's env, must be "on".
//
// The host stores the message once (UserObject.appendFromGuest, ./hosted-append.ts);
// the guest stores no message row. It takes its own message as a group member
// takes its own post (./group-send.ts): when the host's answer arrives, in one
// synchronous block that gives it the next seq, writes the `group_chats` row
// `u:<host>` with its run, and only then answers `sent` (output gate). So a seq
// is handed out and shown in one block, as everywhere else, and a retry (same
// clientId) asks the host again, gets the first answer, and finds the seq in
// the run. `guestSeq` is sent as a hint only; the run is what answers.
//
// A message the host stored whose answer this object lost (the call threw, or
// it crashed before its block) is taken before the next own message of the
// chat: a send whose position is not the next after the row's reads the log's
// gap up to it and takes it, as a pull would. The host's own entries are
// pushed (./hosted-push.ts) and may be on their way: the gap holds them too,
// and the push that arrives after them finds them taken.
//
// Media and forwards go the same way. The media is granted to the chat before
// this (./media-send.ts): a one-to-one grant is one key for both sides, so the
// host's devices fetch it as they fetch a copy's. A grant is keyed by the send
// (sender and clientId, ./media-store.ts), so every try of a send grants it
// once: a retry, after a lost answer or an evicted object, needs nothing more.

import { AppError, type ErrorCode } from "../../shared/errors";
import { type ChatId, FrameError } from "../../shared/protocol";
import type { GroupEntry } from "../group-entry";
import type { UserObject } from "../user-object";
import type { Blocks } from "./blocks";
import type { DirectSend } from "./direct-send";
import type { OutgoingSend } from "./forward";
import { type GroupSender, takeOwn } from "./group-send";
import { hosts } from "./hosted-append";
import type { MediaSender } from "./media-send";
import { broadcast, send } from "./sockets";

/** What the guest's send uses of its object. */
export interface GuestSender extends GroupSender, MediaSender {
  blocks: Blocks;
  direct: DirectSend;
}

/** The switch: on when the object's env says HOSTED_GUEST_SEND="on" (wrangler.toml, "off" today; a test run may set it otherwise). */
export function hostedSendIsOn(env: Env): boolean {
  return env.HOSTED_GUEST_SEND === "on";
}

/** Whether this send goes to the host: the switch is on and the peer hosts the chat (media and forwards too). */
export function goesToHost(me: { userId: string; env: Env }, _frame: OutgoingSend, peer: string): boolean {
  return hostedSendIsOn(me.env) && peer !== me.userId && hosts(peer, me.userId);
}

/** Stored at the host and taken; a retry (same clientId) gets the first answer. */
export async function sendToHost(me: GuestSender, ws: WebSocket, frame: OutgoingSend, host: string): Promise<void> {
  const refuse = (code: ErrorCode, message: string) => new FrameError(new AppError(code, message), frame.clientId);
  // Blocked: refused, unless a retry the host holds, which gets the first answer (as today's retry finds its row).
  const blocked = me.blocks.has(host);
  if (!blocked && !(await me.direct.exists(host))) throw refuse("unknown_user", "no such user");
  const chat: ChatId = `u:${host}`;
  const stub = me.env.USERS.get(me.env.USERS.idFromName(host));
  const { clientId, text, replyTo, media, forwarded } = frame;
  // Media was granted to the chat before this (./media-send.ts attachMedia): whoever reads the host's row may fetch it.
  const message = {
    clientId,
    text,
    ...(replyTo === undefined ? {} : { replyTo }),
    ...(media === undefined ? {} : { media }),
    ...(forwarded === undefined ? {} : { forwarded }),
    guestSeq: me.mailbox.lastSeq + 1,
  };
  let answer: Awaited<ReturnType<typeof stub.appendFromGuest>>;
  try {
    answer = await stub.appendFromGuest(me.userId, message, blocked);
  } catch (err) {
    // It may have been stored: the next send of this chat finds it in its gap.
    console.warn(JSON.stringify({ event: "hosted_send_failed", host, error: String(err) }));
    throw refuse("unavailable", "the other side could not be reached; send again");
  }
  if (!answer.ok && blocked) throw refuse("blocked", "you blocked this user; unblock them to send");
  if (!answer.ok) throw refuse(answer.error.code, answer.error.message);
  const { id, pos, ts } = answer.value;
  const own: GroupEntry = { pos, id, message: { id, chat, from: me.userId, text, ts, clientId } };
  if (media) own.message.media = media;
  if (forwarded !== undefined) own.message.forwarded = forwarded;
  let entries = [own];
  const uptoPos = me.groups.get(chat)?.uptoPos ?? 0;
  // A reply's quote is the host's to make; a gap holds entries not taken yet (see the top): taking
  // this one past them would leave them below the row's `upto`, never to get a seq.
  const gap = uptoPos < pos - 1;
  if (replyTo !== undefined || gap) {
    const from = gap ? Math.max(uptoPos + 1, pos - 999) : pos;
    entries = await ownEntries(me, stub, from, own, refuse);
  }
  const { frames, seq } = await takeOwn(me, chat, entries, { pos, id });
  if (seq === null) throw refuse("internal", "the message was not stored; send again");
  // The guest wrote to its host: a contact, as a copy's row makes one (last seen's "contacts").
  me.mailbox.addContact(host, ts);
  send(ws, { type: "sent", clientId, id, seq, ts });
  const sockets = me.sockets();
  for (const f of frames) broadcast(sockets, f);
}

/**
 * The log's entries from..pos as the host has them, ending with the entry at
 * `pos`, taken as a pull's would be. `own` may be a change's entry too
 * (./hosted-guest-edit.ts).
 */
export async function ownEntries(
  me: Pick<GuestSender, "userId">,
  stub: DurableObjectStub<UserObject>,
  from: number,
  own: GroupEntry,
  refuse: (code: ErrorCode, message: string) => FrameError,
): Promise<GroupEntry[]> {
  const { pos } = own;
  let read: Awaited<ReturnType<typeof stub.hostedEntries>>;
  try {
    read = await stub.hostedEntries(me.userId, from, pos);
  } catch (err) {
    console.warn(JSON.stringify({ event: "hosted_entries_failed", chat: own.message.chat, error: String(err) }));
    throw refuse("unavailable", "the other side could not be reached; send again");
  }
  if (!read.ok) throw refuse(read.error.code, read.error.message);
  const before = read.value.filter((e) => e.pos < pos);
  const last = read.value.find((e) => e.pos === pos && e.id === own.id);
  return [...before, last ?? own];
}
