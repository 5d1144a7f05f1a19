// Identifiers. User and group ids are random; message ids sort in time order
// as plain strings, snowflake style: time, then a per-object sequence, then
// the id of the object that made it (which makes them unique system-wide).

export const ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"; // Crockford base32, lower case

/** 16 random base32 characters: 80 bits. */
export function randomId(length = 16): string {
  const bytes = crypto.getRandomValues(new Uint8Array(length));
  let out = "";
  for (const b of bytes) out += ALPHABET[b & 31];
  return out;
}

export const ENTITY_ID_PATTERN = /^[0-9a-z]{16}$/;
export const MESSAGE_ID_PATTERN = /^[0-9a-z]{13}[0-9a-z]{16}$/;

const TS_WIDTH = 9; // base36 milliseconds: enough until the year 5188
const SEQ_WIDTH = 4; // base36: 1.6 million ids per millisecond per object
const SEQ_LIMIT = 36 ** SEQ_WIDTH;

export interface IdClock {
  ts: number;
  seq: number;
}

/**
 * Makes the next message id of one object. Pure: the caller keeps `last`
 * durably, so ids stay increasing across restarts and a clock that steps back.
 */
export function nextMessageId(now: number, last: IdClock, origin: string): { id: string; ts: number; clock: IdClock } {
  let ts = Math.max(now, last.ts);
  let seq = ts === last.ts ? last.seq + 1 : 0;
  if (seq >= SEQ_LIMIT) {
    ts += 1;
    seq = 0;
  }
  const id = ts.toString(36).padStart(TS_WIDTH, "0") + seq.toString(36).padStart(SEQ_WIDTH, "0") + origin;
  return { id, ts, clock: { ts, seq } };
}

/** The clock that made a message id (its time and sequence within the millisecond). */
export function clockOfId(id: string): IdClock {
  return {
    ts: Number.parseInt(id.slice(0, TS_WIDTH), 36),
    seq: Number.parseInt(id.slice(TS_WIDTH, TS_WIDTH + SEQ_WIDTH), 36),
  };
}

/** The millisecond timestamp inside a message id. */
export function messageIdTime(id: string): number {
  return Number.parseInt(id.slice(0, TS_WIDTH), 36);
}
