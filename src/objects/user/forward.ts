// Forwarding: a `send` frame with `forward: {chat, id}` names a message the
// sender can see; the server copies that message's content (whatever fields
// it has beyond its envelope: text now, media later) into the new message and
// counts its hops from the source's own count, so a client can neither forge
// content it cannot see nor reset the count ("Forwarded many times" from
// FORWARDED_MANY on; the page sends such a message to one chat at a time).
// The target chat is checked by the send itself (member, peer, block).

import { AppError } from "../../shared/errors";
import type { ClientFrame, Message } from "../../shared/protocol";
import type { GroupChats } from "./group-chats";
import type { GroupReads } from "./group-reads";
import type { Mailbox } from "./mailbox";
import type { MailboxArchiveReads } from "./mailbox-archive-reads";

type SendFrame = Extract<ClientFrame, { type: "send" }>;

/** A send as the send paths store it: a forward carries its hop count. */
export type OutgoingSend = Omit<SendFrame, "forward"> & { forwarded?: number };

/** A message's envelope: who, where, when and its state, never copied by a forward. */
type Envelope =
  | "id"
  | "chat"
  | "from"
  | "ts"
  | "seq"
  | "clientId"
  | "system"
  | "replyTo"
  | "editedAt"
  | "deletedAt"
  | "deletedBy"
  | "reactions"
  | "forwarded";

/** What a forward copies: every field that is not envelope, so a field added to messages later travels too. */
export function contentOf(message: Message): Omit<Message, Envelope> {
  const {
    id: _id,
    chat: _chat,
    from: _from,
    ts: _ts,
    seq: _seq,
    clientId: _clientId,
    system: _system,
    replyTo: _replyTo,
    editedAt: _editedAt,
    deletedAt: _deletedAt,
    deletedBy: _deletedBy,
    reactions: _reactions,
    forwarded: _forwarded,
    ...content
  } = message;
  return content;
}

export interface Forwarder {
  mailbox: Mailbox;
  groups: GroupChats;
  reads: GroupReads;
  /** A one-to-one message archived to R2 is forwarded from there (./mailbox-archive-reads.ts). */
  archive?: MailboxArchiveReads;
}

/** The send to store: the frame itself, or for a forward the source's content and hops (errors with codes). */
export async function resolveForward(me: Forwarder, frame: SendFrame): Promise<OutgoingSend> {
  const { forward, ...send } = frame;
  if (!forward) return send;
  if (send.replyTo !== undefined) throw new AppError("invalid_forward", "a forwarded message cannot also be a reply");
  const source = await sourceOf(me, forward.chat, forward.id);
  if (!source) throw new AppError("unknown_message", "no such message in your chats to forward");
  if (source.system) throw new AppError("invalid_forward", "group updates cannot be forwarded");
  if (source.deletedAt !== undefined) throw new AppError("message_deleted", "that message was deleted");
  return { ...send, ...contentOf(source), forwarded: (source.forwarded ?? 0) + 1 };
}

/** The source as the sender may see it: in its mailbox, or in a group's log within its windows. */
async function sourceOf(me: Forwarder, chat: string, id: string): Promise<Message | null> {
  const own = me.mailbox.findById(id);
  if (own) return own.chat === chat ? own : null;
  // A chat its peer hosts (a `u:` row of group_chats, only with HOSTED_GUEST_SEND): its own messages are there.
  if (chat.startsWith("u:") && me.groups.get(chat) && !me.reads.hidden(id)) {
    const hosted = await me.reads.message(chat, id);
    if (hosted?.chat === chat) return hosted;
  }
  if (chat.startsWith("u:") && me.archive) return me.archive.message(chat, id);
  if (!chat.startsWith("g:") || !me.groups.get(chat) || me.reads.hidden(id)) return null;
  const message = await me.reads.message(chat, id);
  return message?.chat === chat ? message : null;
}
