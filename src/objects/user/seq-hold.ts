// The mailbox's seq counter, held in the sockets' attachments between wakes.
//
// Group entries get seqs before their run is stored (./group-chats.ts), so a
// wake cannot learn the greatest seq handed out from the tables: it used to
// start above the stored reservation, and the first take after it wrote a new
// one (a row per member per wake: every message of a group quieter than the
// ~10 s after which an object with only hibernated sockets leaves memory).
// An attachment survives hibernation in memory (not on disk) and is gone with
// its socket when the process dies, which is exactly when the reservation is
// still needed. Every take writes the seq it reached into every open socket,
// so any socket open at a wake holds the greatest seq handed out, unless it
// connected after the last take, and then it holds none: the counter starts
// from the greatest held, else from the reservation as before.
//
// Reading and rewriting every socket's attachment at every take cost about 1%
// of the worker's time at 1,000 members (every push is a take), mostly when
// nothing grew: SeqHold keeps the last seq held in memory and touches the
// sockets only when it grows, and a socket accepted meanwhile gets it at once.

import { attach, info } from "./sockets";

/** The greatest seq the open sockets hold, or null when none holds one. */
export function heldSeq(sockets: readonly WebSocket[]): number | null {
  let held: number | null = null;
  for (const ws of sockets) {
    if (ws.readyState !== WebSocket.OPEN) continue;
    const seq = info(ws)?.seq;
    if (seq !== undefined && (held === null || seq > held)) held = seq;
  }
  return held;
}

/** Every open socket holds `seq` (the greatest handed out so far). */
export function holdSeq(sockets: readonly WebSocket[], seq: number): void {
  for (const ws of sockets) {
    const current = info(ws);
    if (!current || (current.seq ?? 0) >= seq) continue;
    try {
      attach(ws, { ...current, seq });
    } catch {
      // A socket already closed keeps nothing; it is not handed back at a wake.
    }
  }
}

/** Holds the seq in the sockets, only when it grew past the last one held. */
export class SeqHold {
  /** Every open socket holds at least this (those open at the last hold, and those accepted since). */
  private held: number;

  constructor(
    private readonly sockets: () => readonly WebSocket[],
    /** What the sockets held at this wake (heldSeq). */
    held: number | null,
  ) {
    this.held = held ?? 0;
  }

  hold(seq: number): void {
    if (seq <= this.held) return;
    holdSeq(this.sockets(), seq);
    this.held = seq;
  }

  /** For a socket's first attachment: what the others hold (nothing before the first hold). */
  forNewSocket(): { seq?: number } {
    return this.held > 0 ? { seq: this.held } : {};
  }
}

/**
 * Where the counter starts at a wake: after every stored seq, and after what
 * the sockets hold; only when they hold nothing, after the reservation.
 */
export function startSeq(stored: number, reserved: number, held: number | null): number {
  return held === null ? Math.max(stored, reserved) : Math.max(stored, held);
}
