// Bookkeeping for one-to-one load: every message carries a marker in its text
// (run tag, direction, number), so the receiving device can tell when it was
// sent, whether it came twice, and whether it overtook an earlier one.
//   e2e latency:  send() on the sender's device -> `message` on the recipient's
//   sent latency: send() -> the `sent` answer on the sender's device

import type { ChatId, Message } from "../../src/shared/protocol";
import type { Device } from "../client";
import { Samples } from "../stats";
import { TimelineRecorder } from "../timeline";
import type { BenchUser } from "../users";

interface Flight {
  key: string;
  dir: string;
  n: number;
  t0: number;
  answered: boolean;
  delivered: boolean;
  /** The sender's device got its `delivered` (or `read`) receipt. */
  receipted: boolean;
}

let runCounter = 0;

export class DmTracker {
  readonly e2e = new Samples();
  readonly sentLatency = new Samples();
  /** e2e latency against send time, for the measured messages. */
  readonly timeline = new TimelineRecorder();
  private readonly flights = new Map<string, Flight>();
  private readonly byClientId = new Map<string, Flight>();
  private readonly byId = new Map<string, Flight>();
  private readonly nextN = new Map<string, number>();
  private readonly lastN = new Map<string, number>();
  private readonly tag = `${Date.now().toString(36)}${++runCounter}`;
  private readonly padding: string;
  sent = 0;
  answered = 0;
  delivered = 0;
  /** Messages whose receipt reached the sender's device. */
  receipted = 0;
  duplicated = 0;
  misordered = 0;
  errors = 0;
  /** Only messages sent while this is true count towards the latency samples. */
  measuring = false;
  firstSendAt = 0;
  lastDeliveryAt = 0;
  /** Called on each first delivery (windowed load sends the next one here). */
  onDelivered: (dir: string) => void = () => {};
  private readonly measured = new Set<Flight>();
  private readonly devices = new Map<string, Device>();

  constructor(textSize: number) {
    this.padding = "x".repeat(Math.max(0, textSize - 24));
  }

  /** Listens on a user's device for what concerns this tracker. */
  watch(user: BenchUser, device: Device): void {
    this.devices.set(user.id, device);
    device.on("message", (m) => this.onMessage(user, m));
    device.on("sent", (f) => this.onSent(f.clientId, f.id));
    device.on("receipt", (r) => this.onReceipt(r.ids));
    device.on("error", (e) => {
      if (e.clientId && this.byClientId.has(e.clientId)) this.errors++;
    });
  }

  send(from: BenchUser, device: Device, to: BenchUser): void {
    const dir = `${from.index}>${to.index}`;
    const n = (this.nextN.get(dir) ?? 0) + 1;
    this.nextN.set(dir, n);
    const key = `${this.tag}:${dir}#${n}`;
    const t0 = performance.now();
    const flight: Flight = { key, dir, n, t0, answered: false, delivered: false, receipted: false };
    if (this.sent === 0) this.firstSendAt = t0;
    this.flights.set(key, flight);
    if (this.measuring) {
      this.measured.add(flight);
      this.timeline.start(t0);
    }
    this.sent++;
    const { clientId } = device.send(`u:${to.id}` as ChatId, `${key}#${this.padding}`);
    this.byClientId.set(clientId, flight);
  }

  private onSent(clientId: string, id: string): void {
    const flight = this.byClientId.get(clientId);
    if (!flight || flight.answered) return;
    this.byId.set(id, flight);
    flight.answered = true;
    this.answered++;
    if (this.measured.has(flight)) this.sentLatency.add(performance.now() - flight.t0);
  }

  private onReceipt(ids: readonly string[]): void {
    for (const id of ids) {
      const flight = this.byId.get(id);
      if (!flight || flight.receipted) continue;
      flight.receipted = true;
      this.receipted++;
    }
  }

  private onMessage(user: BenchUser, m: Message): void {
    if (m.from === user.id) return; // our own send, echoed to our devices
    const key = m.text.slice(0, m.text.lastIndexOf("#"));
    const flight = this.flights.get(key);
    if (!flight) return; // from another run or scenario
    if (flight.delivered) {
      this.duplicated++;
      return;
    }
    const now = performance.now();
    flight.delivered = true;
    this.delivered++;
    this.lastDeliveryAt = now;
    if (this.measured.has(flight)) {
      this.e2e.add(now - flight.t0);
      this.timeline.add(flight.t0, now - flight.t0, flight.dir, flight.n);
    }
    // Read as a person does, every tenth message (its `received` goes by itself): the disk figure covers all three.
    if (flight.n % 10 === 0) this.devices.get(user.id)?.markRead(m.chat, m.id);
    const last = this.lastN.get(flight.dir) ?? 0;
    if (flight.n < last) this.misordered++;
    else this.lastN.set(flight.dir, flight.n);
    this.onDelivered(flight.dir);
  }

  /** Sent but not yet on the recipient's device. */
  get outstanding(): number {
    return this.sent - this.delivered;
  }

  /** Answered `sent` (stored) but never delivered: lost, once the drain is over. */
  get lost(): number {
    let lost = 0;
    for (const f of this.flights.values()) if (f.answered && !f.delivered) lost++;
    return lost;
  }

  get unanswered(): number {
    return this.sent - this.answered;
  }
}
