// The guest's `edit`, `delete` and `react` frames on a message of the chat its
// peer hosts (docs/one-copy-per-chat.md, "The guest's changes, as built"),
// behind the same switch as its send (HOSTED_GUEST_SEND, ./hosted-send.ts).
// A message of the host's log has no row in the guest's mailbox: it is the
// host's one copy, as a group message is its group's. So the host decides
// (UserObject.hostedChange, ./hosted-changes.ts, today's one-to-one rules and
// codes) and the guest takes the answer's entry into its `u:<host>` row
// before it answers, as a group change is taken (./actions.ts, changeInGroup).
// A message with a row here (a copy from before hosting, the host's copies
// the peer log still hands over) keeps today's path.
//
// Crashes: a change the host stored whose answer this object lost is found
// again by the retry (the host answers the first answer, the take gives it
// its seq then), or by the next send or change of the chat, which reads the
// log's gap first, as a send after a lost answer does.

import { AppError, type ErrorCode } from "../../shared/errors";
import { type ChatId, FrameError, type ServerFrame } from "../../shared/protocol";
import type { HostedChange } from "../../shared/schemas/hosted";
import { originOf } from "../group-entry";
import type { Actor } from "./actions";
import { takeOwn } from "./group-send";
import { hosts } from "./hosted-append";
import { hostedSendIsOn, ownEntries } from "./hosted-send";
import { missingMessage } from "./mailbox-archive-reads";
import { broadcast, send } from "./sockets";

/**
 * The host whose log holds message `id` for this user, which has no row of it: the switch is on, the id
 * was made by a peer that hosts this user (ids end with their maker's id) and this user has that chat's
 * `u:<host>` row. Null: not a hosted message, today's path.
 */
export function hostOfMessage(me: Pick<Actor, "env" | "userId" | "groups">, id: string): string | null {
  if (!hostedSendIsOn(me.env)) return null;
  const host = originOf(id);
  if (host === me.userId || !hosts(host, me.userId)) return null;
  return me.groups.get(`u:${host}`) === null ? null : host;
}

/** Delete for me of a hosted message: the message is read from the host, then hidden here, as a group's is. */
export async function forgetHosted(me: Actor, clientId: string, id: string, host: string): Promise<ServerFrame | null> {
  const message = await me.reads.message(`u:${host}`, id);
  if (!message) throw await missingMessage(me.archived, id);
  return me.writes(() => me.mailbox.changes.forgetElsewhere(message, me.ids.next().id, clientId));
}

/**
 * An edit, delete for everyone or reaction of a hosted message: the host decides; this object takes it and answers.
 * `blocked`: this user blocked the host, and the change is refused with it unless the host knows the clientId
 * (a retry: it gets the first answer, as a retry of today's reaction does). This object stores no key of it.
 */
export async function changeInHost(
  me: Actor,
  ws: WebSocket,
  clientId: string,
  request: HostedChange,
  host: string,
  blocked?: AppError,
): Promise<void> {
  const refuse = (code: ErrorCode, text: string) => new FrameError(new AppError(code, text), clientId);
  // Deleted for me here: gone for this user, as the host's own hidden rows are for the host.
  if (me.reads.hidden(request.id)) throw refuse("unknown_message", "no such message in your chats");
  const chat: ChatId = `u:${host}`;
  const stub = me.env.USERS.get(me.env.USERS.idFromName(host));
  let answer: Awaited<ReturnType<typeof stub.hostedChange>>;
  try {
    answer = await stub.hostedChange(me.userId, clientId, request, blocked !== undefined);
  } catch (err) {
    // It may have been stored: the next send or change of this chat finds it in its gap.
    console.warn(JSON.stringify({ event: "hosted_change_failed", host, error: String(err) }));
    throw refuse("unavailable", "the other side could not be reached; try again");
  }
  if (!answer.ok) {
    if (blocked) throw new FrameError(blocked, clientId);
    // Not in the host's log: a copy of ours from before hosting moved to R2 is refused as such, as today.
    if (answer.error.code === "unknown_message")
      throw new FrameError(await missingMessage(me.archived, request.id), clientId);
    throw refuse(answer.error.code, answer.error.message);
  }
  const reply = answer.value;
  const uptoPos = me.groups.get(chat)?.uptoPos ?? 0;
  let entries = [reply.entry];
  // A gap holds entries not taken yet: taking this one past them would leave them without a seq.
  if (uptoPos < reply.pos - 1) {
    entries = await ownEntries(me, stub, Math.max(uptoPos + 1, reply.pos - 999), reply.entry, refuse);
  }
  const { frames, seq } = await takeOwn(me, chat, entries, reply);
  // What was taken is shown, whatever the answer: it has its seqs now.
  const sockets = me.sockets();
  for (const f of frames) broadcast(sockets, f);
  const own = entries.find((entry) => entry.id === reply.id);
  const at = own?.change ? me.groups.seqOf(chat, own.change.pos, own.message.id) : null;
  if (seq === null || !own || at === null) throw refuse("internal", "the change was not stored; try again");
  // Every device got the change's frame with the clientId if the take showed it; a retry's is sent here.
  const update = { type: "update" as const, seq, message: { ...own.message, seq: at }, clientId };
  if (!frames.some((f) => f.type === "update" && f.seq === seq)) send(ws, update);
}
