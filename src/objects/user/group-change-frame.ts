// The frame a group's change entry (an edit, a delete) shows on this member's
// devices (./group-chats.ts): its message as it is now, at the message's own
// seq. A message stored before schema step 8 is a row of the mailbox and takes
// the change the way one-to-one messages do (./changes.ts).

import type { Message, ServerFrame } from "../../shared/protocol";
import type { GroupEntry } from "../group-entry";
import type { InboxChange } from "../inbox";
import type { GroupChat } from "./group-chat-store";
import type { GroupChats } from "./group-chats";
import type { Mailbox } from "./mailbox";

/** A change's frame: its message as it is now, at the message's own seq (null: this user does not have it). */
export function changeFrame(
  groups: GroupChats,
  mailbox: Mailbox,
  row: GroupChat,
  entry: GroupEntry,
  seq: number,
  hidden: (id: string) => boolean,
): ServerFrame | null {
  const target = entry.message;
  groups.requote(target.id, target.deletedAt === undefined ? target.text : null);
  if (row.last !== null && (JSON.parse(row.last) as Message).id === target.id) {
    const at = groups.seqOf(row.chat, entry.change?.pos ?? 0, target.id);
    if (at !== null) row.last = JSON.stringify({ ...target, seq: at });
  }
  // A message stored before step 8 takes the change into its own row (./changes.ts), as older code did.
  if (target.id <= row.floor) {
    groups.writes += 1;
    const change: InboxChange = {
      kind: "change",
      cid: entry.id,
      chat: target.chat,
      id: target.id,
      from: target.from,
      text: target.text,
    };
    if (target.editedAt !== undefined) change.editedAt = target.editedAt;
    if (target.deletedAt !== undefined) {
      change.deletedAt = target.deletedAt;
      change.deletedBy = target.deletedBy ?? target.from;
    }
    if (entry.change?.clientId !== undefined) change.clientId = entry.change.clientId;
    return mailbox.changes.accept(change);
  }
  const at = groups.seqOf(row.chat, entry.change?.pos ?? 0, target.id);
  if (at === null || hidden(target.id)) return null;
  const clientId = entry.change?.clientId;
  return { type: "update", seq, message: { ...target, seq: at }, ...(clientId ? { clientId } : {}) };
}
