// The sender's mailbox is the outbox of its one-to-one messages. A message
// this user sent to a peer is stored once, in its mailbox row, and that row is
// what gets delivered: per peer, the chat's row keeps `handed`, the newest own
// message the peer's object confirmed, and every own message of the chat after
// it is owed. Sending writes no outbox row, and a confirmation deletes none
// (before schema step 7: an outbox row, its index entry and its deletion,
// three rows per message). docs/architecture.md has the crash table.
//
// As in storage/outbox.ts: one delivery in flight per peer, in id order; what
// is sent meanwhile travels together in the next call; a failure backs off
// (in memory: a wake retries at once) and books the alarm; messages sent
// since the object woke are also kept in memory, so a delivery reads nothing
// back. A confirmation is remembered in memory and kept with the chat's row
// (./mailbox-chats.ts), which is written with the other chat rows (a timer,
// the alarm, a read, the last device leaving): no row of its own. If the
// object dies first, the messages after the stored `handed` are delivered
// again and the peer drops them by id; own messages the stored row does not
// name yet are found again by the wake's repair of the chat rows.

import type { InboxMessage } from "../inbox";
import { type Deliver, OUTBOX_SAFETY_MS } from "../storage/outbox";
import type { Mailbox } from "./mailbox";

const BATCH = 200;
const BACKOFF_BASE_MS = 500;
const BACKOFF_MAX_MS = 5 * 60_000;
const MEMORY_MAX = 1_000;
/** Peers caught up kept in memory (each a few fields). */
const IDLE_MAX = 1_000;

interface Peer {
  /** The newest id the peer confirmed (stored or not). */
  handed: string;
  /** `handed` as stored in the chat row. */
  stored: string;
  /** Own messages after `handed`, when `known` (all of them are here). */
  unsent: InboxMessage[];
  known: boolean;
  /** When `unsent` last went from empty to not (its safety net is due OUTBOX_SAFETY_MS later); null if not known. */
  since: number | null;
  attempts: number;
  retryAt: number;
}

export class PeerLog {
  private readonly peers = new Map<string, Peer>();
  private readonly inflight = new Map<string, Promise<void>>();
  private readonly again = new Set<string>();
  /** Whether storage was scanned for owed peers since this object woke. */
  private scanned = false;

  constructor(
    private readonly mailbox: Mailbox,
    /** Replaced by fault tests (src/test/outbox-faults.ts), like the outbox's. */
    public deliver: Deliver,
    /** `net`: a safety net, which the alarm may meet a little later (storage/alarm.ts, NET_SLACK_MS). */
    private readonly wakeBy: (time: number, net?: boolean) => void,
    private readonly settled: () => void,
  ) {}

  private peer(id: string): Peer {
    let peer = this.peers.get(id);
    if (!peer) {
      const handed = this.mailbox.outbound.handed(`u:${id}`);
      peer = { handed, stored: handed, unsent: [], known: false, since: null, attempts: 0, retryAt: 0 };
      this.peers.set(id, peer);
    }
    return peer;
  }

  /**
   * A message just stored for `to`, in the same synchronous block as its
   * row: the alarm is asked for first, so a crash after the row finds a retry.
   */
  added(to: string, item: InboxMessage, now = Date.now()): void {
    this.wakeBy(now + OUTBOX_SAFETY_MS, true);
    const peer = this.peer(to);
    if (!peer.known) return; // read from storage when its turn comes
    if (peer.unsent.length === 0) peer.since = now;
    peer.unsent.push(item);
    if (peer.unsent.length > MEMORY_MAX) {
      peer.unsent = [];
      peer.known = false;
      peer.since = null;
    }
  }

  /** The confirmed position not yet stored, taken by the chat row's write (then stored). */
  takeUnstored(to: string): string | null {
    const peer = this.peers.get(to);
    if (!peer || peer.handed === peer.stored) return null;
    peer.stored = peer.handed;
    return peer.handed;
  }

  /** Delivers to a peer unless a delivery is running; resolves when idle. */
  kick(to: string): Promise<void> {
    const running = this.inflight.get(to);
    if (running) {
      this.again.add(to);
      return running;
    }
    const run = this.drain(to).finally(() => {
      this.inflight.delete(to);
      if (this.again.delete(to)) void this.kick(to);
    });
    this.inflight.set(to, run);
    return run;
  }

  /** The wake's and the alarm's part: every peer owed something and due. */
  async retryDue(now = Date.now()): Promise<void> {
    this.flush();
    if (!this.scanned) {
      this.scanned = true;
      for (const id of this.mailbox.outbound.owedPeers()) this.peer(id);
    }
    const due: string[] = [];
    for (const [id, peer] of this.peers) {
      if (!this.owes(peer)) continue;
      if (peer.retryAt > now) this.wakeBy(peer.retryAt);
      else due.push(id);
    }
    if (due.length > 0) this.wakeBy(now + OUTBOX_SAFETY_MS);
    await Promise.all(due.map((id) => this.kick(id)));
  }

  /**
   * Stores the confirmed positions not yet stored (one row per peer). A peer
   * caught up stays in memory (up to IDLE_MAX of them): its next message is
   * then delivered from memory, not read back from the mailbox it was just
   * written to (that read was 8% of the worker thread at `dm-steady`).
   */
  flush(): void {
    let busy = false;
    let idle = 0;
    for (const [id, peer] of this.peers) {
      const handed = this.takeUnstored(id);
      if (handed !== null) this.mailbox.outbound.storeHanded(`u:${id}`, handed);
      if (this.owes(peer) || peer.attempts > 0 || this.inflight.has(id)) busy = true;
      else if (++idle > IDLE_MAX) this.peers.delete(id);
    }
    if (this.scanned && !busy) this.settled();
  }

  /**
   * When the safety net is next needed, exactly: OUTBOX_SAFETY_MS after the
   * oldest owed message was sent (or after its peer's queue last went from
   * empty to not, which is no later), or null if nothing is owed. Undefined
   * when that is not known in memory (before the wake's scan, a peer read
   * from storage or backing off): then the times asked stand.
   */
  safetyNet(): number | null | undefined {
    if (!this.scanned) return undefined;
    let oldest: number | null = null;
    for (const peer of this.peers.values()) {
      if (!this.owes(peer)) continue;
      if (peer.since === null || peer.attempts > 0) return undefined;
      if (oldest === null || peer.since < oldest) oldest = peer.since;
    }
    return oldest === null ? null : oldest + OUTBOX_SAFETY_MS;
  }

  /** Whether any message is owed (as far as this wake knows). */
  owed(): boolean {
    if (!this.scanned) return this.mailbox.outbound.owedPeers().length > 0;
    for (const peer of this.peers.values()) if (this.owes(peer)) return true;
    return false;
  }

  /** Own messages not yet confirmed by their peer. */
  depth(): number {
    let n = 0;
    const ids = new Set([...this.peers.keys(), ...this.mailbox.outbound.owedPeers()]);
    for (const id of ids) {
      const peer = this.peer(id);
      // A known peer has every owed message in memory (the caught-up ones kept are many).
      n += peer.known ? peer.unsent.length : this.mailbox.outbound.ownAfter(`u:${id}`, peer.handed, BATCH * 5).length;
    }
    return n;
  }

  private owes(peer: Peer): boolean {
    return peer.known ? peer.unsent.length > 0 : true;
  }

  private async drain(to: string): Promise<void> {
    for (;;) {
      const peer = this.peer(to);
      if (peer.retryAt > Date.now()) return;
      let batch: InboxMessage[];
      if (peer.known) {
        batch = peer.unsent.slice(0, BATCH);
      } else {
        batch = this.mailbox.outbound.ownAfter(`u:${to}`, peer.handed, BATCH);
        if (batch.length < BATCH) {
          // Read to the end: from now on every new message is in memory too.
          peer.known = true;
          peer.unsent = batch.slice();
        }
      }
      const last = batch.at(-1);
      if (!last) return;
      try {
        await this.deliver(to, batch);
      } catch (err) {
        const delay = Math.min(BACKOFF_BASE_MS * 2 ** peer.attempts, BACKOFF_MAX_MS);
        peer.attempts += 1;
        peer.retryAt = Date.now() + delay * (0.75 + Math.random() * 0.5);
        this.wakeBy(peer.retryAt);
        console.warn(JSON.stringify({ event: "outbox_retry", target: to, items: batch.length, error: String(err) }));
        return;
      }
      peer.attempts = 0;
      peer.retryAt = 0;
      if (last.id > peer.handed) peer.handed = last.id;
      if (peer.known) {
        let n = 0;
        while (n < peer.unsent.length && (peer.unsent[n] as InboxMessage).id <= peer.handed) n++;
        peer.unsent.splice(0, n);
      }
      if (peer.unsent.length === 0) peer.since = null;
    }
  }

  /** Whether message `id` to `to` is not yet confirmed (a delete for me must not drop its delivery). */
  isOwed(to: string, id: string): boolean {
    return id > this.peer(to).handed;
  }

  /** Test hook: backoffs end now (as after a restart). */
  dueNow(): void {
    for (const peer of this.peers.values()) peer.retryAt = 0;
  }
}
