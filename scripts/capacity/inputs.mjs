// Inputs of the capacity plan (docs/capacity.md). Three kinds, kept apart:
// SPEC is what the product was specified for; ASSUME is our guess where the
// spec is silent (change one and rerun); MEASURED comes from
// src/objects/footprint.test.ts in the local runtime; PRICE and LIMIT are
// Cloudflare's published figures, with the page each one was read from.

export const SPEC = {
  users: 1e9,
  dailyActive: 50e6,
  messagesPerDay: 2e9,
  bytesPerMessage: 100,
  years: 10,
};

export const ASSUME = {
  /** Busiest hour over the daily average (a daily cycle); events such as New Year run higher. */
  peakFactor: 3,
  eventFactor: 10,
  /** Share of messages sent to groups, and the average group size (members, sender included). */
  groupShare: 0.2,
  groupSize: 20,
  /**
   * Stored copies of a one-to-one message: 1 since 2026-12-07 (HOSTED_GUEST_SEND on: the chat is stored
   * at the user whose id sorts first, docs/one-copy-per-chat.md); 2 with the switch off.
   */
  directCopies: 1,
  /** Groups per registered user (one group for every ten users). */
  groupsPerUser: 0.1,
  devicesPerActiveUser: 1.5,
  /** Share of daily active users with a socket open: on average over the day, and at the peak. */
  onlineAverage: 0.1,
  onlineAtPeak: 0.25,
  /** HTTP calls (chat list, history pages, profiles) and socket connects per active user per day. */
  httpPerActiveUser: 20,
  connectsPerActiveUser: 10,
  /** The client's heartbeat interval (s); the runtime answers `ping` without waking the object. */
  pingSeconds: 25,
  /**
   * `received` frames per delivered copy: the client module acknowledges what one turn of its event
   * loop brought, so live messages go one per frame (1) and a replay many per frame.
   */
  receivedFramesPerCopy: 1,
  readFramesPerCopy: 0.1,
  /** Alarm invocations per message (the outbox's safety alarm; one per burst of a sender). */
  alarmsPerMessage: 0.2,
  /**
   * Presence sweeps of an online user (src/objects/user/presence-hub.ts): at each socket's deadline
   * (60 s after its last ping, so every 35-60 s: 47 on average) while someone watches its presence,
   * every 10 minutes while nobody does. Share of online users watched at a time (a contact has their
   * chat open): our guess.
   */
  watchedShare: 0.2,
  watchedSweepSeconds: 47,
  unwatchedSweepSeconds: 600,
  /** Rows a sweep writes: re-arming the alarm; lastSeen once per unwatched interval (see presence-hub.ts). */
  rowsPerSweep: 1,
  /** Wall time a Durable Object is busy per billed request (s), and Worker CPU per request (ms). */
  objectSecondsPerRequest: 0.005,
  workerCpuMs: 2,
  /** SQLite rows read: per message (lookups), and per active user per day (history, sync, chat list). */
  rowsReadPerMessage: 20,
  rowsReadPerActiveUser: 2000,
  /** D1 rows read per authenticated request (the session check) and rows written per active user per day. */
  d1RowsReadPerRequest: 2,
  d1RowsWrittenPerActiveUser: 0.5,
  /** Days a mailbox keeps in its own SQLite before older pages move to R2. */
  hotDays: 90,
  /** How much busier the 1-in-1,000 heaviest mailbox is than the average active one. */
  heavyUserFactor: 50,
  /** Archived pages: compressed JSON, one per stored copy of a one-to-one message (directCopies), one per group message. */
  archiveBytesPerMessage: 220,
  archiveCompression: 2,
  /** Fill a D1 shard to this share of its 10 GB limit, leaving room to grow. */
  shardFill: 0.5,
  avatarShare: 0.5,
  avatarBytes: 60e3,
  avatarViewsPerActiveUser: 50,
  avatarCacheHitRate: 0.95,
  daysPerMonth: 30,
};

/** From `npx vitest run --project workers src/objects/footprint.test.ts` (see docs/capacity.md). */
export const MEASURED = {
  /**
   * One-to-one, after user schema step 13 (issue 16; measured 2026-12-06 in a burst of 200: receipts as
   * positions, one (chat, id) index, chat rows written together; was 12.2 after step 6, 23.1 at eb60dea;
   * 7.01 with the search index fed in batches, step 17). Stored once per chat since 2026-12-07: 5.02 for a
   * guest's message and 4.04 for a host's (both objects, `footprint.test.ts`), so 4.53 for half of each.
   */
  rowsWrittenPerDirectMessage: 4.53,
  /**
   * Rows written for one copy's receipts (delivered, and read in steps of 10), by how acks are framed;
   * positions per chat since step 13, handed straight to the sender since 2026-12-06 night, no rid index
   * since step 18 (were 0.20 and 0.15 with it, 0.32 and 0.21 through the outbox, 2.4 and 2.2 gathered,
   * 7.7 and 3.1 before). In a chat stored once, receipts as positions both ways (`footprint-hosted-receipts
   * .test.ts`, 2026-12-07): the host's of the guest's messages 0.16 / 0.14, the guest's of the host's
   * 0.17 / 0.13, so 0.165 / 0.135 (two copies: 0.14 / 0.11).
   */
  rowsWrittenForReceiptsOnePerFrame: 0.165,
  rowsWrittenForReceiptsTenPerFrame: 0.135,
  /**
   * A group message, stored once (issue 16; `footprint-group.test.ts`, measured 2026-12-06 in a burst,
   * receipts included, every member reading every 10 messages; reads gathered in the group): 6.0 rows
   * for 10 members and 11.8 for 100, so a fixed part and a part per member (its batched row and the
   * group's cursor for it, once per 50 entries; its reads, in one record per 100 ms at the group).
   * Since user steps 15-16 and group step 7 (ended runs paged, batches of receipts without their
   * index, the log indexed for search per 16 entries): 4.7 for 10 members and 9.5 for 100.
   * Was 8.6 rows per member's copy.
   */
  rowsWrittenPerGroupMessage: 4.17,
  rowsWrittenPerGroupMember: 0.053,
  bytesPerMailboxRow: 266,
  bytesPerAccount: 410,
};

const WORKERS = "https://developers.cloudflare.com/workers/platform/pricing/";
const DO = "https://developers.cloudflare.com/durable-objects/platform/pricing/";
const D1 = "https://developers.cloudflare.com/d1/platform/pricing/";
const R2 = "https://developers.cloudflare.com/r2/pricing/";

/** US dollars, Workers Paid plan, per month; `included` is the monthly allowance. */
export const PRICE = {
  base: { dollars: 5, source: WORKERS },
  workerRequests: { included: 10e6, perMillion: 0.3, source: WORKERS },
  workerCpuMs: { included: 30e6, perMillion: 0.02, source: WORKERS },
  objectRequests: { included: 1e6, perMillion: 0.15, incomingWebSocketRatio: 20, source: DO },
  objectGbSeconds: { included: 400e3, perMillion: 12.5, memoryGb: 0.128, source: DO },
  objectRowsRead: { included: 25e9, perMillion: 0.001, source: DO },
  objectRowsWritten: { included: 50e6, perMillion: 1.0, source: DO },
  objectStorageGbMonth: { included: 5, perGb: 0.2, source: DO },
  d1RowsRead: { included: 25e9, perMillion: 0.001, source: D1 },
  d1RowsWritten: { included: 50e6, perMillion: 1.0, source: D1 },
  d1StorageGbMonth: { included: 5, perGb: 0.75, source: D1 },
  r2StandardGbMonth: { included: 10, perGb: 0.015, source: R2 },
  r2InfrequentGbMonth: { included: 0, perGb: 0.01, source: R2 },
  r2ClassA: { included: 1e6, perMillion: 4.5, source: R2 },
  r2ClassB: { included: 10e6, perMillion: 0.36, source: R2 },
};

export const LIMIT = {
  objectStorageBytes: 10e9, // https://developers.cloudflare.com/durable-objects/platform/limits/
  objectRequestsPerSecond: 1000, // soft limit, https://developers.cloudflare.com/durable-objects/reference/faq/
  d1DatabaseBytes: 10e9, // https://developers.cloudflare.com/d1/platform/limits/
  d1AccountBytes: 1e12, // same page; raised on request
  groupMembersMax: 1024, // src/shared/limits.ts
};

/** The same measurements with two copies per one-to-one chat (HOSTED_GUEST_SEND off), for comparison. */
export const TWO_COPIES = {
  assume: { directCopies: 2 },
  measured: {
    rowsWrittenPerDirectMessage: 7.01,
    rowsWrittenForReceiptsOnePerFrame: 0.14,
    rowsWrittenForReceiptsTenPerFrame: 0.11,
  },
};
