// The capacity model: from the inputs (inputs.mjs) to objects, rates,
// storage, shards and a monthly bill. Pure functions; capacity.mjs prints.

const DAY = 86_400;

/** Traffic: messages, mailbox copies (one per member of the chat), deliveries and receipts per day. */
export function traffic(spec, a) {
  const direct = spec.messagesPerDay * (1 - a.groupShare);
  const group = spec.messagesPerDay * a.groupShare;
  const copies = direct * 2 + group * a.groupSize;
  const copiesToOthers = direct + group * (a.groupSize - 1);
  /** Stored: a one-to-one message once, at its chat's host (twice with two copies), a group message once. */
  const stored = direct * a.directCopies + group;
  const receivedFrames = copiesToOthers * a.receivedFramesPerCopy;
  const readFrames = copiesToOthers * a.readFramesPerCopy;
  return {
    direct,
    group,
    copies,
    copiesToOthers,
    stored,
    receivedFrames,
    readFrames,
    perSecond: spec.messagesPerDay / DAY,
    peakPerSecond: (spec.messagesPerDay / DAY) * a.peakFactor,
    copiesPerSecondPeak: (copies / DAY) * a.peakFactor,
  };
}

/**
 * The presence sweeps of online users per day: alarm invocations, and the rows they write (re-arming,
 * and lastSeen once per unwatched interval). Was a sweep at every deadline with a lastSeen row each
 * (about 77 a user-hour, 2 rows each) before 2026-12-06.
 */
export function presenceSweeps(spec, a) {
  const usersOnline = spec.dailyActive * a.onlineAverage;
  const perHour =
    a.watchedShare * (3600 / a.watchedSweepSeconds) + (1 - a.watchedShare) * (3600 / a.unwatchedSweepSeconds);
  const alarms = usersOnline * 24 * perHour;
  const lastSeenRows = usersOnline * 24 * (3600 / a.unwatchedSweepSeconds);
  return { alarms, rowsWritten: alarms * a.rowsPerSweep + lastSeenRows };
}

/** Billed Durable Object requests, Worker requests, and the time objects are busy, per day. */
export function requests(spec, a, t) {
  const devicesOnline = spec.dailyActive * a.devicesPerActiveUser * a.onlineAverage;
  const pings = (devicesOnline * DAY) / a.pingSeconds;
  const connects = spec.dailyActive * a.connectsPerActiveUser;
  const http = spec.dailyActive * a.httpPerActiveUser;
  const frames = spec.messagesPerDay + t.receivedFrames + t.readFrames;
  const rpcs = t.direct + t.group * (1 + a.groupSize) + t.receivedFrames + t.readFrames + http;
  const alarms = spec.messagesPerDay * a.alarmsPerMessage + presenceSweeps(spec, a).alarms;
  const avatarMisses = spec.dailyActive * a.avatarViewsPerActiveUser * (1 - a.avatarCacheHitRate);
  return {
    frames,
    pings,
    rpcs,
    alarms,
    connects,
    objectBusySeconds: (frames + rpcs + alarms + connects) * a.objectSecondsPerRequest,
    workerRequests: http + connects + avatarMisses,
    authenticated: http + connects,
    devicesOnlinePeak: spec.dailyActive * a.devicesPerActiveUser * a.onlineAtPeak,
    pingsPerSecondPeak: (spec.dailyActive * a.devicesPerActiveUser * a.onlineAtPeak) / a.pingSeconds,
  };
}

/**
 * Receipt rows split into a part per copy (marking it, the read share) and a part per `received`
 * frame (the receipt's outbox row, id clock and the sender's receipt row), from the two measurements
 * (one and ten copies per frame): perCopy + perFrame = one-per-frame; perCopy + perFrame / 10 = ten-per-frame.
 */
export function receiptRows(m) {
  const perFrame = ((m.rowsWrittenForReceiptsOnePerFrame - m.rowsWrittenForReceiptsTenPerFrame) * 10) / 9;
  return { perFrame, perCopy: m.rowsWrittenForReceiptsOnePerFrame - perFrame };
}

/** SQLite rows written and read in objects per day, from the measured footprint. */
export function rows(spec, a, m, t) {
  const receipts = receiptRows(m);
  // A group message is measured whole, receipts included (stored once: a fixed part and a part per member).
  const written =
    t.direct * m.rowsWrittenPerDirectMessage +
    t.group * (m.rowsWrittenPerGroupMessage + a.groupSize * m.rowsWrittenPerGroupMember) +
    t.direct * receipts.perCopy +
    t.direct * a.receivedFramesPerCopy * receipts.perFrame +
    presenceSweeps(spec, a).rowsWritten;
  const read = spec.messagesPerDay * a.rowsReadPerMessage + spec.dailyActive * a.rowsReadPerActiveUser;
  return { written, read, writtenPerMessage: written / spec.messagesPerDay };
}

/** Mailbox storage, the per-object limit, and the R2 archive. */
export function storage(spec, a, m, t, limit) {
  const bytesPerDay = t.stored * m.bytesPerMailboxRow;
  const perActiveUserDay = bytesPerDay / spec.dailyActive;
  const heavyPerDay = perActiveUserDay * a.heavyUserFactor;
  const archivedMessagesPerDay = t.direct * a.directCopies + t.group;
  const archiveBytesPerDay = (archivedMessagesPerDay * a.archiveBytesPerMessage) / a.archiveCompression;
  const days = 365 * spec.years;
  return {
    seedBytesPerDay: spec.messagesPerDay * spec.bytesPerMessage,
    seedBytesTotal: spec.messagesPerDay * spec.bytesPerMessage * days,
    bytesPerDay,
    withoutArchive: bytesPerDay * days,
    hot: bytesPerDay * a.hotDays,
    perActiveUserDay,
    averageObjectAfterYears: perActiveUserDay * days,
    heavyYearsToLimit: limit.objectStorageBytes / heavyPerDay / 365,
    heavyHot: heavyPerDay * a.hotDays,
    /** Copies a day that fill 10 GB within the hot window: the mailbox that needs more than archiving. */
    limitCopiesPerSecond: limit.objectStorageBytes / a.hotDays / m.bytesPerMailboxRow / DAY,
    archiveBytesPerDay,
    archiveTotal: archiveBytesPerDay * (days - a.hotDays),
    archivePagesPerDay: archivedMessagesPerDay / 500,
  };
}

/** Accounts in D1: bytes, shards, and the session checks each shard answers at the peak. */
export function accounts(spec, a, m, r, limit) {
  const bytes = spec.users * m.bytesPerAccount;
  const needed = Math.ceil(bytes / (limit.d1DatabaseBytes * a.shardFill));
  const shards = 2 ** Math.ceil(Math.log2(needed));
  const peakQueries = (r.authenticated / DAY) * a.peakFactor;
  return {
    bytes,
    needed,
    shards,
    rowsPerShard: spec.users / shards,
    bytesPerShard: bytes / shards,
    peakQueriesPerShard: peakQueries / shards,
    peakQueries,
    accountLimitShare: bytes / limit.d1AccountBytes,
  };
}

function over(quantity, p) {
  return (Math.max(0, quantity - p.included) / 1e6) * p.perMillion;
}

function overGb(gb, p) {
  return Math.max(0, gb - p.included) * p.perGb;
}

/** The monthly bill, line by line (dollars), at year `years` of storage. */
export function bill(spec, a, price, r, w, s, acc) {
  const month = a.daysPerMonth;
  const gb = 1e9;
  const avatarBytes = spec.users * a.avatarShare * a.avatarBytes;
  const lines = {
    "Workers plan": price.base.dollars,
    "Workers requests": over(r.workerRequests * month, price.workerRequests),
    "Workers CPU": over(r.workerRequests * a.workerCpuMs * month, price.workerCpuMs),
    "Objects: requests (frames at 20:1, calls, alarms)": over(
      (r.frames / price.objectRequests.incomingWebSocketRatio + r.rpcs + r.alarms + r.connects) * month,
      price.objectRequests,
    ),
    "Objects: heartbeat frames at 20:1 (if billed)": over(
      (r.pings / price.objectRequests.incomingWebSocketRatio) * month,
      { ...price.objectRequests, included: 0 },
    ),
    "Objects: duration": over(r.objectBusySeconds * price.objectGbSeconds.memoryGb * month, price.objectGbSeconds),
    "Objects: SQLite rows written": over(w.written * month, price.objectRowsWritten),
    "Objects: SQLite rows read": over(w.read * month, price.objectRowsRead),
    "Objects: SQLite storage (hot window)": overGb(s.hot / gb, price.objectStorageGbMonth),
    "D1: rows read": over(r.authenticated * a.d1RowsReadPerRequest * month, price.d1RowsRead),
    "D1: rows written": over(spec.dailyActive * a.d1RowsWrittenPerActiveUser * month, price.d1RowsWritten),
    "D1: storage": overGb(acc.bytes / gb, price.d1StorageGbMonth),
    "R2: archive storage (Infrequent Access)": overGb(s.archiveTotal / gb, price.r2InfrequentGbMonth),
    "R2: archive writes": over(s.archivePagesPerDay * month, price.r2ClassA),
    "R2: avatars storage": overGb(avatarBytes / gb, price.r2StandardGbMonth),
    "R2: avatar reads (cache misses)": over(
      spec.dailyActive * a.avatarViewsPerActiveUser * (1 - a.avatarCacheHitRate) * month,
      price.r2ClassB,
    ),
  };
  const total = Object.values(lines).reduce((sum, x) => sum + x, 0);
  return { lines, total };
}

/** Everything, for one set of inputs. */
export function plan(inputs) {
  const { SPEC, ASSUME, MEASURED, PRICE, LIMIT } = inputs;
  const t = traffic(SPEC, ASSUME);
  const r = requests(SPEC, ASSUME, t);
  const w = rows(SPEC, ASSUME, MEASURED, t);
  const s = storage(SPEC, ASSUME, MEASURED, t, LIMIT);
  const acc = accounts(SPEC, ASSUME, MEASURED, r, LIMIT);
  const b = bill(SPEC, ASSUME, PRICE, r, w, s, acc);
  return { t, r, w, s, acc, b };
}

/** What one message to a group of `size` costs: copies, rows written, billed object requests, dollars. */
export function groupMessage(size, inputs) {
  const { ASSUME: a, MEASURED: m, PRICE: p } = inputs;
  const others = size - 1;
  const rowsWritten = m.rowsWrittenPerGroupMessage + size * m.rowsWrittenPerGroupMember;
  const frames = 1 + others * (a.receivedFramesPerCopy + a.readFramesPerCopy);
  const calls = 1 + size + others * (a.receivedFramesPerCopy + a.readFramesPerCopy);
  const requests = frames / p.objectRequests.incomingWebSocketRatio + calls;
  const dollars = (rowsWritten / 1e6) * p.objectRowsWritten.perMillion + (requests / 1e6) * p.objectRequests.perMillion;
  return {
    size,
    copies: 1,
    bytes: m.bytesPerMailboxRow,
    rowsWritten,
    requests,
    dollarsPerMillion: dollars * 1e6,
  };
}
