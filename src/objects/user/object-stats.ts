// Counts of one user's object, for tests, operators and the linked-devices list.

import type { UserParts } from "./parts";

export interface UserStats {
  sockets: number;
  messages: number;
  outbox: number;
  seq: number;
  /** The mailbox's archive (./mailbox-archive.ts): pages done, messages in them, their bytes. */
  archived: number;
  archivedMessages: number;
  archivedBytes: number;
  sqliteBytes: number;
}

export function stats(me: UserParts): UserStats {
  return {
    sockets: me.ctx.getWebSockets().length,
    // Rows of the mailbox, and group entries given a seq (the group's log holds them).
    messages: me.mailbox.reads.count() + me.groups.takenCount(),
    outbox: me.outbox.depth() + me.peers.depth() + me.receipts.size,
    seq: me.mailbox.lastSeq,
    ...archiveStats(me),
  };
}

function archiveStats(me: UserParts) {
  const { pages, bytes } = me.archive.index.totals();
  return {
    archived: pages,
    archivedMessages: me.archive.chats.messages(),
    archivedBytes: bytes,
    sqliteBytes: me.ctx.storage.sql.databaseSize,
  };
}

/** One JSON line with the object's counts (cheap ones: no table scan). */
export function logCounts(me: UserParts, event: string, requestId: string | null): void {
  const { userId, mailbox, outbox } = me;
  const sockets = me.ctx.getWebSockets().length;
  console.log(JSON.stringify({ event, requestId, userId, sockets, seq: mailbox.lastSeq, outbox: outbox.depth() }));
}

/** Session ids with a socket connected now (the linked-devices list shows them online). */
export function onlineSessions(ctx: DurableObjectState): string[] {
  const sids = new Set<string>();
  for (const ws of ctx.getWebSockets()) {
    for (const tag of ctx.getTags(ws)) sids.add(tag);
  }
  return [...sids];
}
