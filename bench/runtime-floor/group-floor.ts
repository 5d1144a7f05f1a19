// One group of the runtime floor (see worker.ts): the least a group can do on
// this runtime with the design's one stored copy (docs/groups.md):
//   post:     one insert into the group's log (`sent` leaves once it is
//             committed: the output gate holds the answer);
//   fan-out:  one RPC per member per push, carrying everything the member is
//             owed since its last push (so a busy group coalesces, as ours
//             does), at most one call in flight per member and SLOTS in all;
//             the member numbers the entries with its own seqs and sends them
//             to its devices, storing nothing;
//   receipts: each member's "delivered up to" rides on the answer to its next
//             push (or a call of its own when none comes: ./group-member.ts);
//             every RECEIPT_MS the group tells each sender which of its
//             messages each member newly has: one RPC and one stored row per
//             sender, a `receipt` frame per reader (the contract's shape).
// Left out: cursors and marks on disk (memory only: a restart forgets them),
// reads (a `read` frame is dropped, as in the one-to-one floor), membership
// changes, edits, reactions, the archive.

import { DurableObject } from "cloudflare:workers";
import { type IdClock, nextMessageId } from "../../src/shared/ids";
import type { UserFloor } from "./user-floor";

export interface GroupFloorEntry {
  id: string;
  from: string;
  text: string;
  ts: number;
}

const SLOTS = 32; // calls in flight, as the server's fan-out (group/fanout.ts)
const RECEIPT_MS = 250; // as group/receipts.ts

interface Env {
  USERS: DurableObjectNamespace<UserFloor>;
}

export class GroupFloor extends DurableObject<Env> {
  private readonly sql: SqlStorage;
  private members: string[] = [];
  private groupId = "";
  private clock: IdClock = { ts: 0, seq: 0 };
  /** The log since this object woke (the floor's sockets see only live messages). */
  private readonly log: GroupFloorEntry[] = [];
  /** Member → index in `log` of the next entry it is owed. */
  private readonly cursors = new Map<string, number>();
  /** Member → the newest id its devices acknowledged, and the index up to which receipts went out. */
  private readonly marks = new Map<string, { delivered: string; told: number }>();
  private readonly queue = new Set<string>();
  private readonly inflight = new Set<string>();
  private readonly stubs = new Map<string, DurableObjectStub<UserFloor>>();
  private receiptTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
    this.sql.exec("CREATE TABLE IF NOT EXISTS log (id TEXT PRIMARY KEY, sender TEXT NOT NULL, text TEXT, ts INTEGER)");
    const row = this.sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = 'group'").toArray()[0];
    if (row) ({ id: this.groupId, members: this.members } = JSON.parse(row.value));
  }

  create(groupId: string, members: string[]): void {
    this.groupId = groupId;
    this.members = members;
    this.sql.exec("INSERT OR REPLACE INTO meta VALUES ('group', ?)", JSON.stringify({ id: groupId, members }));
  }

  /** A member's message: stored once, then fanned out. The answer leaves after the commit. */
  post(from: string, text: string): { id: string; ts: number } | null {
    if (!this.members.includes(from)) return null;
    const { id, ts, clock } = nextMessageId(Date.now(), this.clock, this.groupId);
    this.clock = clock;
    this.sql.exec("INSERT INTO log (id, sender, text, ts) VALUES (?, ?, ?, ?)", id, from, text, ts);
    this.log.push({ id, from, text, ts });
    for (const member of this.members) {
      if (!this.cursors.has(member)) this.cursors.set(member, this.log.length - 1);
      this.queue.add(member);
    }
    this.pump();
    return { id, ts };
  }

  /** A member's "delivered up to" that came without a push to ride on. */
  ack(member: string, delivered: string): void {
    this.delivered(member, delivered);
  }

  private pump(): void {
    for (const member of this.queue) {
      if (this.inflight.size >= SLOTS) return;
      if (this.inflight.has(member)) continue;
      this.queue.delete(member);
      this.inflight.add(member);
      void this.push(member).finally(() => {
        this.inflight.delete(member);
        this.pump();
      });
    }
  }

  private async push(member: string): Promise<void> {
    const from = this.cursors.get(member) ?? this.log.length;
    const entries = this.log.slice(from);
    if (entries.length === 0) return;
    try {
      const answer = await this.user(member).showGroup(this.groupId, entries);
      this.cursors.set(member, from + entries.length);
      if (answer.delivered) this.delivered(member, answer.delivered);
    } catch (err) {
      this.stubs.delete(member);
      console.warn(JSON.stringify({ event: "floor_fanout_failed", member, error: String(err) }));
    }
    if ((this.cursors.get(member) ?? 0) < this.log.length) this.queue.add(member);
  }

  private delivered(member: string, id: string): void {
    const mark = this.marks.get(member) ?? { delivered: "", told: this.cursors.get(member) ?? 0 };
    if (id > mark.delivered) mark.delivered = id;
    this.marks.set(member, mark);
    this.receiptTimer ??= setTimeout(() => {
      this.receiptTimer = null;
      this.tellSenders();
    }, RECEIPT_MS);
  }

  /** Every sender learns which of its messages each member newly has: one call per sender. */
  private tellSenders(): void {
    const bySender = new Map<string, Record<string, string[]>>();
    for (const [member, mark] of this.marks) {
      let i = mark.told;
      for (; i < this.log.length && (this.log[i] as GroupFloorEntry).id <= mark.delivered; i++) {
        const entry = this.log[i] as GroupFloorEntry;
        if (entry.from === member) continue;
        const readers = bySender.get(entry.from) ?? {};
        readers[member] = [...(readers[member] ?? []), entry.id];
        bySender.set(entry.from, readers);
      }
      mark.told = i;
    }
    const ts = Date.now();
    for (const [sender, readers] of bySender) {
      this.user(sender)
        .groupReceipts(`g:${this.groupId}`, readers, ts)
        .catch((err: unknown) => console.warn(JSON.stringify({ event: "floor_receipts_failed", error: String(err) })));
    }
  }

  private user(id: string): DurableObjectStub<UserFloor> {
    let stub = this.stubs.get(id);
    if (!stub) {
      stub = this.env.USERS.get(this.env.USERS.idFromName(id));
      this.stubs.set(id, stub);
    }
    return stub;
  }
}
