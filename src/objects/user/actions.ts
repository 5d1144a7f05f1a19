// `edit` and `delete` frames. Delete for me touches only this mailbox. For a
// one-to-one message this object is the authority (the message is its own):
// it checks, changes its own copy and hands the change to the peer through
// the outbox, in the same block, so the peer gets it after the message and
// exactly once. For a group message the group object decides (members,
// admins, windows), applies it to the log's one copy and fans the change out;
// this object then takes it, as for a group send. See docs/actions.md.

import { AppError } from "../../shared/errors";
import { type ClientFrame, FrameError, type Message, parseChat } from "../../shared/protocol";
import type { HostedChange } from "../../shared/schemas/hosted";
import type { ActionWindows } from "../action-windows";
import type { GroupChange } from "../group/changes";
import type { InboxChange } from "../inbox";
import type { MessageIdClock } from "../storage/id-clock";
import type { Outbox } from "../storage/outbox";
import type { GroupChats } from "./group-chats";
import type { GroupReads } from "./group-reads";
import { catchUp, groupStub, takeOwn } from "./group-send";
import { changeInHost, forgetHosted, hostOfMessage } from "./hosted-guest-edit";
import type { Mailbox } from "./mailbox";
import { missingMessage } from "./mailbox-archive-reads";
import { releaseMedia } from "./media-send";
import { broadcast, send } from "./sockets";

type ActionFrame = Extract<ClientFrame, { type: "edit" | "delete" }>;

export interface Actor {
  userId: string;
  env: Env;
  mailbox: Mailbox;
  groups: GroupChats;
  reads: GroupReads;
  ids: MessageIdClock;
  outbox: Outbox;
  windows: ActionWindows;
  sockets: () => WebSocket[];
  /** Runs a synchronous block of writes in the object's next group commit (see storage/write-batch.ts). */
  writes: <T>(job: () => T) => Promise<T>;
  /** Whether a message not in SQLite was archived (./mailbox-archive-reads.ts): such a one is refused, not unknown. */
  archived?: (id: string) => Promise<boolean>;
  /** After an edit of an own one-to-one message, in its block: a hosted chat's reader reads it again (./hosted-acks.ts). */
  afterOwnEdit?: (message: Message) => void;
  /** Before a delete for me, in its block: an own message still owed to its peer goes to the outbox. */
  beforeForget: (message: Message) => void;
}

export async function act(me: Actor, ws: WebSocket, frame: ActionFrame): Promise<void> {
  try {
    await run(me, ws, frame);
  } catch (err) {
    throw err instanceof AppError && !(err instanceof FrameError) ? new FrameError(err, frame.clientId) : err;
  }
}

async function run(me: Actor, ws: WebSocket, frame: ActionFrame): Promise<void> {
  // A retry: the same clientId gets the first answer and changes nothing.
  const earlier = me.mailbox.changes.findByClientId(frame.clientId);
  if (earlier) return send(ws, earlier);
  const stored = me.mailbox.findById(frame.id);
  // A message of a chat its peer hosts is in the host's log only (./hosted-guest-edit.ts).
  const host = stored ? null : hostOfMessage(me, frame.id);
  if (host !== null) return hosted(me, ws, frame, host);
  // A group message since schema step 8 is in its group's log only.
  const message =
    stored ??
    (me.groups.isGroupMessage(frame.id) ? await me.reads.message(`g:${frame.id.slice(-16)}`, frame.id) : null);
  if (!message) throw await missingMessage(me.archived, frame.id);
  if (frame.type === "delete" && frame.for === "me") {
    return me.writes(() => {
      if (!stored) {
        const answer = me.mailbox.changes.forgetElsewhere(message, me.ids.next().id, frame.clientId);
        if (answer) broadcast(me.sockets(), answer);
        return;
      }
      // A hosted row stays (./changes.ts, `hide`): the peer log still hands it from there.
      if (!me.mailbox.changes.keeps(message.id)) me.beforeForget(message);
      const answer = me.mailbox.changes.forget(message.id, me.ids.next().id, frame.clientId);
      if (answer) broadcast(me.sockets(), answer);
    });
  }
  if (message.system) throw new AppError("forbidden", "system messages cannot be edited or deleted");
  if (frame.type === "edit" && message.from !== me.userId) {
    throw new AppError("not_your_message", "only its sender may edit a message");
  }
  if (message.deletedAt !== undefined) throw new AppError("message_deleted", "that message was deleted");
  const chat = parseChat(message.chat);
  if (chat.kind === "group") {
    const request: GroupChange =
      frame.type === "edit" ? { action: "edit", id: frame.id, text: frame.text } : { action: "delete", id: frame.id };
    await changeInGroup(me, ws, frame.clientId, request, chat.id);
  } else await me.writes(() => oneToOne(me, frame, message, chat.id));
  // Deleted for everyone: its chat no longer refers to the media (the last reference takes the bytes along).
  if (frame.type === "delete" && message.media) {
    releaseMedia(me.env, message.media.id, message.chat, me.userId, { from: message.from, clientId: message.clientId });
  }
}

function hosted(me: Actor, ws: WebSocket, frame: ActionFrame, host: string): Promise<void> {
  if (frame.type === "delete" && frame.for === "me") {
    return forgetHosted(me, frame.clientId, frame.id, host).then((answer) => {
      if (answer) broadcast(me.sockets(), answer);
    });
  }
  const request: HostedChange =
    frame.type === "edit" ? { action: "edit", id: frame.id, text: frame.text } : { action: "delete", id: frame.id };
  return changeInHost(me, ws, frame.clientId, request, host);
}

function oneToOne(me: Actor, frame: ActionFrame, message: Message, peer: string): void {
  if (message.from !== me.userId) {
    throw new AppError("not_your_message", "only its sender may delete a message for everyone");
  }
  const now = Date.now();
  const window = frame.type === "edit" ? me.windows.edit : me.windows.delete;
  if (now - message.ts > window) {
    throw new AppError("too_late", `the time to ${frame.type} this message is over`);
  }
  // One synchronous block: own copy, mailbox entry and outbox row commit together.
  const { id: cid, ts } = me.ids.next(now);
  const change: InboxChange = { kind: "change", cid, chat: message.chat, id: message.id, from: me.userId, text: "" };
  if (frame.type === "edit") {
    change.text = frame.text;
    change.editedAt = ts;
  } else {
    if (message.editedAt !== undefined) change.editedAt = message.editedAt;
    change.deletedAt = ts;
    change.deletedBy = me.userId;
  }
  const answer = me.mailbox.changes.accept({ ...change, clientId: frame.clientId });
  if (!answer) throw new AppError("internal", "the change was not stored; try again");
  if (frame.type === "edit") me.afterOwnEdit?.(message);
  if (peer !== me.userId) me.outbox.enqueue(peer, [{ ...change, chat: `u:${me.userId}` }], now);
  broadcast(me.sockets(), answer);
  if (peer !== me.userId) void me.outbox.kick(peer);
}

/** A change of a group message (edit, delete, reaction): the group decides; this object takes it and answers. */
export async function changeInGroup(
  me: Actor,
  ws: WebSocket,
  clientId: string,
  request: GroupChange,
  groupId: string,
): Promise<void> {
  const chat = `g:${groupId}`;
  const group = groupStub(me.env, groupId);
  let result: Awaited<ReturnType<typeof group.change>>;
  try {
    result = await group.change(me.userId, clientId, request, me.groups.get(chat)?.upto ?? "");
  } catch (err) {
    console.warn(JSON.stringify({ event: "group_change_failed", group: groupId, error: String(err) }));
    throw new AppError("unavailable", "the group could not be reached; try again");
  }
  if (!result.ok) throw new AppError(result.error.code, result.error.message);
  // As for a send: take what we had not taken, up to and including the change.
  const reply = result.value;
  const entries = await catchUp(me, group, chat, reply, clientId);
  const { frames, seq } = await takeOwn(me, chat, entries, reply);
  const sockets = me.sockets();
  for (const f of frames) broadcast(sockets, f);
  // The answer: the change's frame (a message stored before step 8 answers from `changes`).
  const legacy = me.mailbox.changes.findByClientId(clientId);
  if (legacy) {
    if (!frames.some((f) => (f.type === "update" || f.type === "removed") && f.seq === legacy.seq)) send(ws, legacy);
    return;
  }
  const own = entries.find((entry) => entry.id === reply.id);
  const at = own?.change ? me.groups.seqOf(chat, own.change.pos, own.message.id) : null;
  if (seq === null || !own || at === null) throw new AppError("internal", "the change was not stored; try again");
  const answer = { type: "update" as const, seq, message: { ...own.message, seq: at }, clientId };
  if (!frames.some((f) => f.type === "update" && f.seq === seq)) send(ws, answer);
}
