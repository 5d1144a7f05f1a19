// What each part of the user object's work uses of it: narrow views over
// UserParts (./parts.ts), one per kind of work, so a module sees only what it
// needs (a group send, the guest's and the host's sides of a hosted chat,
// edits and deletes, group access).

import type { Message } from "../../shared/protocol";
import type { Actor } from "./actions";
import type { GroupAccess } from "./group-access";
import type { GroupSender } from "./group-send";
import { ownEdited } from "./hosted-acks";
import type { HostSide } from "./hosted-append";
import type { ChangeHost } from "./hosted-changes";
import type { GuestSender } from "./hosted-send";
import type { UserParts } from "./parts";

/** What the group modules (./group-*.ts) use of this object. */
export function groupSide(me: UserParts): GroupSender {
  return {
    userId: me.userId,
    env: me.env,
    groups: me.groups,
    mailbox: me.mailbox,
    reads: me.groupReads,
    writes: (job) => me.writes.run(job),
    sockets: () => me.ctx.getWebSockets(),
  };
}

/** What the guest of a chat its peer hosts uses to send there (./hosted-send.ts; behind HOSTED_GUEST_SEND). */
export function guestSide(me: UserParts): GuestSender {
  return { ...groupSide(me), blocks: me.blocks, direct: me.direct, media: me.media };
}

/** What the host of a one-to-one chat uses of this object (./hosted-append.ts). */
export function hostSide(me: UserParts): HostSide {
  return {
    userId: me.userId,
    env: me.env,
    sql: me.ctx.storage.sql,
    transactionSync: (fn) => me.ctx.storage.transactionSync(fn),
    mailbox: me.mailbox,
    ids: me.ids,
    blocks: me.blocks,
    writes: me.writes,
    sockets: () => me.ctx.getWebSockets(),
    archive: me.archiveReads,
    pushOffline: (messages) => me.pushOffline(messages),
  };
}

/** What a guest's changes in a chat hosted here use of this object (./hosted-changes.ts). */
export function changeHost(me: UserParts): ChangeHost {
  return { ...hostSide(me), windows: me.windows };
}

/** What edits and deletes (./actions.ts) use of this object. */
export function actor(me: UserParts): Actor {
  return {
    ...groupSide(me),
    ids: me.ids,
    outbox: me.outbox,
    windows: me.windows,
    writes: <T>(job: () => T) => me.writes.run(job),
    archived: (id: string) => me.archiveReads.holds(id),
    afterOwnEdit: (message: Message) => ownEdited(me, message),
    // A delete for me of an own message its peer has not confirmed: the
    // mailbox row was its delivery's record, so the outbox takes it over.
    beforeForget: (message: Message) => {
      const peer = message.chat.slice(2);
      if (!message.chat.startsWith("u:") || message.from !== me.userId || peer === me.userId) return;
      if (!me.peers.isOwed(peer, message.id)) return;
      me.outbox.enqueue(peer, [me.mailbox.deliverable(message)]);
      void me.outbox.kick(peer);
    },
  };
}

export function access(me: UserParts): GroupAccess {
  return { groups: me.groups, userId: me.userId, env: me.env };
}
