// Message info for a message this user sent: who got it and read it, and
// when (GET /api/chats/:chat/messages/:id/receipts; the Worker adds who it
// was meant for). A one-to-one message's times are read from the receipts
// log; a group message's from the gathered receipts rows (and the marks older
// code kept). A group message since schema step 8 is read from its group, a
// hosted one-to-one message from its host (./hosted-views.ts).

import { AppError, fail, ok, type Result } from "../../shared/errors";
import { type Message, parseChat, type ReaderReceipt } from "../../shared/protocol";
import { originOf } from "../group-entry";
import { type GroupAccess, requireGroupReader } from "./group-access";
import type { GroupChats } from "./group-chats";
import type { GroupReads } from "./group-reads";
import type { Mailbox } from "./mailbox";
import type { MailboxArchiveReads } from "./mailbox-archive-reads";

export interface MessageInfo {
  message: Message;
  marks: ReaderReceipt[];
}

export interface InfoReader {
  userId: string;
  mailbox: Mailbox;
  groups: GroupChats;
  reads: GroupReads;
  /** A one-to-one message archived to R2 is read from there (./mailbox-archive-reads.ts). */
  archive?: MailboxArchiveReads;
  /** A hosted chat's receipts are positions (./hosted-info.ts). */
  hosted?: HostedInfo;
}

export interface HostedInfo {
  /** The guest's own message of its host's log: its marks from the host's positions. */
  guestMarks(chat: string, message: Message): Promise<ReaderReceipt[]>;
  /** An own message of a chat hosted here: its marks from the guest's positions (null: not one). */
  ownMarks(message: Message): ReaderReceipt[] | null;
}

export async function messageInfo(
  me: InfoReader,
  access: GroupAccess,
  chat: string,
  id: string,
): Promise<Result<MessageInfo>> {
  try {
    // A hosted chat's message after its floor is the host's (ids there end with the host's id): the log first.
    const hosted = chat.startsWith("u:") && me.groups.get(chat) !== null && originOf(id) === chat.slice(2);
    let message = hosted ? await me.reads.message(chat, id) : null;
    message ??= me.mailbox.findById(id);
    if (!message && chat.startsWith("u:") && me.archive) message = await me.archive.message(chat, id);
    if (!message && chat.startsWith("g:") && me.groups.get(chat) && id.endsWith(chat.slice(2))) {
      message = await me.reads.message(chat, id);
    }
    if (!message || message.chat !== chat || message.system) {
      // Of a group one is not in, one answer whatever the id (as for its history).
      const ref = parseChat(chat);
      if (ref.kind === "group") await requireGroupReader(access, ref.id);
      return fail(new AppError("unknown_message", "no such message in this chat"));
    }
    if (message.from !== me.userId) {
      return fail(new AppError("not_your_message", "only its sender may see a message's receipts"));
    }
    // An own message with the host's id is in the host's log only: its receipts are the host's positions.
    const marks = chat.startsWith("u:")
      ? hosted && me.hosted
        ? await me.hosted.guestMarks(chat, message)
        : (me.hosted?.ownMarks(message) ?? me.mailbox.marks.ofOneToOne(message))
      : [...me.mailbox.marks.ofGroup(message).values()];
    return ok({ message, marks });
  } catch (err) {
    if (err instanceof AppError) return fail(err);
    throw err;
  }
}
