// A user's side of the runtime floor's groups (./group-floor.ts): the
// entries a push brings are numbered with the user's seqs and sent to its
// devices, stored nowhere; its devices' `received` for group messages become
// one "delivered up to" per group, handed back on the answer to the group's
// next push, or after ACK_MS in a call of its own (as user/group-acks.ts).

import type { GroupFloor, GroupFloorEntry } from "./group-floor";

const ACK_MS = 250;

export interface GroupMemberHost {
  sql: SqlStorage;
  userId(): string;
  nextSeq(): number;
  broadcast(frame: string): void;
  group(groupId: string): DurableObjectStub<GroupFloor>;
}

export class GroupMemberFloor {
  private readonly groups = new Set<string>();
  private readonly pending = new Map<string, string>();
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(private readonly host: GroupMemberHost) {}

  show(groupId: string, entries: GroupFloorEntry[]): { delivered?: string } {
    this.groups.add(groupId);
    const chat = `g:${groupId}`;
    for (const e of entries) {
      const message = { id: e.id, chat, from: e.from, text: e.text, ts: e.ts, seq: this.host.nextSeq() };
      this.host.broadcast(JSON.stringify({ type: "message", message }));
    }
    const delivered = this.pending.get(groupId);
    this.pending.delete(groupId);
    return delivered === undefined ? {} : { delivered };
  }

  /** A member's message: `sent` once the group has stored it; the message itself comes back with the group's push. */
  async send(ws: WebSocket, f: { clientId: string; chat: string; text: string }): Promise<void> {
    const stored = await this.host.group(f.chat.slice(2)).post(this.host.userId(), f.text);
    if (!stored) return ws.send(JSON.stringify({ type: "error", code: "not_member", message: "not a member" }));
    ws.send(
      JSON.stringify({ type: "sent", clientId: f.clientId, id: stored.id, seq: this.host.nextSeq(), ts: stored.ts }),
    );
  }

  /** A group's receipts for this sender's messages: one stored row, a `receipt` frame per reader (the contract's shape). */
  receipts(chat: string, readers: Record<string, string[]>, ts: number): void {
    const seq = this.host.nextSeq();
    this.host.sql.exec("INSERT INTO entries (seq, chat, frame) VALUES (?, ?, ?)", seq, chat, JSON.stringify(readers));
    for (const [by, ids] of Object.entries(readers)) {
      this.host.broadcast(JSON.stringify({ type: "receipt", chat, ids, status: "delivered", by, ts }));
    }
  }

  /** Takes the ids of group messages out of a `received` frame; answers the others. */
  received(ids: string[]): string[] {
    const rest: string[] = [];
    for (const id of ids) {
      const group = id.slice(-16); // a group message's id ends with its group's id (src/shared/ids.ts)
      if (!this.groups.has(group)) {
        rest.push(id);
        continue;
      }
      if (id > (this.pending.get(group) ?? "")) this.pending.set(group, id);
    }
    if (this.pending.size > 0) this.timer ??= setTimeout(() => this.flush(), ACK_MS);
    return rest;
  }

  private flush(): void {
    this.timer = null;
    for (const [group, delivered] of this.pending) {
      this.host
        .group(group)
        .ack(this.host.userId(), delivered)
        .catch((err: unknown) => console.warn(JSON.stringify({ event: "floor_ack_failed", error: String(err) })));
    }
    this.pending.clear();
  }
}
