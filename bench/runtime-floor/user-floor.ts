// One user of the runtime floor (see worker.ts): their devices' sockets
// (hibernation API) and their mailbox, one SQLite table. The durable work per
// message is what the real design cannot do without:
//   send:     one insert at the sender (`sent` leaves once it is committed:
//             the output gate holds it), one RPC to the recipient, one insert
//             there, `message` to the recipient's devices;
//   received: one update at the recipient, one RPC to the sender, one insert
//             of the receipt there, `receipt` to the sender's devices.
//
// With FLOOR_ONCE (`npm run bench -- --runtime-floor-once`), the floor of the
// design in docs/one-copy-per-chat.md: each one-to-one message is stored once,
// by the chat's host (the smaller user id). A host's message is shown to the
// guest's devices and not stored there; a guest's message is stored by the
// host before the guest answers `sent`; a receipt is an update of the host's
// row, pushed to the other side's devices. Live scenarios only: a guest's
// `sync` does not ask the host (offline-sync misses what the host keeps), nor
// does a guest's retry of a `send`.

import { DurableObject } from "cloudflare:workers";
import { type IdClock, nextMessageId } from "../../src/shared/ids";
import type { GroupFloor, GroupFloorEntry } from "./group-floor";
import { GroupMemberFloor } from "./group-member";

interface Incoming {
  id: string;
  chat: string;
  from: string;
  text: string;
  ts: number;
}

interface SendFrame {
  clientId: string;
  chat: string;
  text: string;
}

/** Entries per `replay` frame (docs/protocol.md: at most 200). */
const REPLAY_BATCH = 200;

export class UserFloor extends DurableObject {
  private readonly sql: SqlStorage;
  /** The newest seq of the mailbox; the object is single-threaded and inserts are synchronous. */
  private seq: number;
  /** This user's id: known from any socket's attachment (the object cannot read its own name). */
  private userId: string | undefined;
  /** The id clock, in memory only (the floor keeps no counters durably). */
  private clock: IdClock = { ts: 0, seq: 0 };
  private readonly stubs = new Map<string, DurableObjectStub<UserFloor>>();
  /** This user's groups: live entries shown, acknowledgements gathered (./group-member.ts). */
  private readonly groups: GroupMemberFloor;

  /** One copy per chat, at its host (see the top of this file). */
  private readonly once: boolean;

  constructor(
    ctx: DurableObjectState,
    env: { USERS: DurableObjectNamespace<UserFloor>; GROUPS: DurableObjectNamespace<GroupFloor>; FLOOR_ONCE?: string },
  ) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.groups = new GroupMemberFloor({
      sql: this.sql,
      userId: () => this.userId as string,
      nextSeq: () => ++this.seq,
      broadcast: (frame) => this.broadcast(frame),
      group: (id) => env.GROUPS.get(env.GROUPS.idFromName(id)),
    });
    this.once = env.FLOOR_ONCE === "true";
    // The entry as replayed by `sync` is kept as its JSON frame, so a replay is a string join.
    this.sql.exec(`CREATE TABLE IF NOT EXISTS entries (
      seq INTEGER PRIMARY KEY,
      msg_id TEXT UNIQUE,
      client_id TEXT UNIQUE,
      chat TEXT,
      sender TEXT,
      delivered_at INTEGER,
      frame TEXT NOT NULL
    )`);
    this.seq = Number(this.sql.exec("SELECT coalesce(max(seq), 0) AS s FROM entries").one().s);
    // The heartbeat is answered by the runtime without waking the object, as in the real server.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair("ping", "pong"));
  }

  /** The Worker forwards the upgrade here once it knows the user. */
  override async fetch(request: Request): Promise<Response> {
    const userId = request.headers.get("x-user-id") ?? "";
    this.userId = userId;
    const pair = new WebSocketPair();
    this.ctx.acceptWebSocket(pair[1]);
    pair[1].serializeAttachment(userId);
    const headers = new Headers();
    const protocol = request.headers.get("x-echo-protocol");
    if (protocol) headers.set("Sec-WebSocket-Protocol", protocol);
    return new Response(null, { status: 101, webSocket: pair[0], headers });
  }

  override async webSocketMessage(ws: WebSocket, data: string | ArrayBuffer): Promise<void> {
    if (typeof data !== "string") return;
    if (data === "ping") return ws.send("pong");
    this.userId ??= ws.deserializeAttachment() as string;
    let frame: { type?: string; [k: string]: unknown };
    try {
      frame = JSON.parse(data);
    } catch {
      return ws.send(JSON.stringify({ type: "error", code: "bad_frame", message: "not JSON" }));
    }
    if (frame.type === "send") await this.onSend(ws, frame as unknown as SendFrame);
    else if (frame.type === "received") await this.onReceived(this.groups.received(frame.ids as string[]));
    else if (frame.type === "sync") this.onSync(ws, Number(frame.after) || 0, frame.batch === true);
    // read, typing, subscribe: accepted and dropped (no read receipts or presence in the floor).
  }

  override async webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> {
    // Completes the closing handshake; 1005/1006 are not valid to send back.
    try {
      ws.close(code === 1005 || code === 1006 ? 1000 : code, reason);
    } catch {
      // already closed
    }
  }

  // ------------------------------------------------------------ RPC from other users' objects

  /** A message for this user: stored, then pushed to their devices (the output gate holds it until the commit). */
  deliver(m: Incoming): void {
    const seq = ++this.seq;
    const frame = JSON.stringify({ type: "message", message: { ...m, seq } });
    this.sql.exec(
      "INSERT INTO entries (seq, msg_id, chat, sender, frame) VALUES (?, ?, ?, ?, ?)",
      seq,
      m.id,
      m.chat,
      m.from,
      frame,
    );
    this.broadcast(frame);
  }

  /** Once per chat: a guest's message, stored here only; the answer waits for the commit (output gate). */
  append(m: Incoming & { clientId: string }): void {
    const seq = ++this.seq;
    const frame = JSON.stringify({ type: "message", message: { ...m, seq } });
    // The retry key is scoped by the guest: client ids are unique per user only.
    const key = `${m.from}:${m.clientId}`;
    this.sql.exec(
      "INSERT INTO entries (seq, msg_id, client_id, chat, sender, frame) VALUES (?, ?, ?, ?, ?, ?)",
      seq,
      m.id,
      key,
      m.chat,
      m.from,
      frame,
    );
    this.broadcast(frame);
  }

  /** Once per chat: a host's message for this guest's devices, not stored here. */
  show(m: Incoming): void {
    this.broadcast(JSON.stringify({ type: "message", message: { ...m, seq: ++this.seq } }));
  }

  /** Once per chat: `by` (a guest) has these messages of this host; marked on our rows and pushed. */
  guestReceived(by: string, ids: string[], ts: number): void {
    const marked = this.markDelivered(by, ids, ts).map((r) => r.msg_id);
    if (marked.length > 0) this.showReceipt(by, marked, ts);
  }

  /** Once per chat: a receipt for this guest's devices (the host keeps it on its row). */
  showReceipt(by: string, ids: string[], ts: number): void {
    this.broadcast(receiptFrame(by, ids, ts));
  }

  /** `by` has these messages of ours: the receipt is stored in our mailbox and pushed. */
  receipt(by: string, ids: string[], ts: number): void {
    const seq = ++this.seq;
    const frame = receiptFrame(by, ids, ts);
    this.sql.exec("INSERT INTO entries (seq, chat, sender, frame) VALUES (?, ?, ?, ?)", seq, `u:${by}`, by, frame);
    this.broadcast(frame);
  }

  /** A group's push (./group-floor.ts): shown to the devices, stored nowhere. */
  showGroup(groupId: string, entries: GroupFloorEntry[]): { delivered?: string } {
    return this.groups.show(groupId, entries);
  }

  /** A group's receipts for this sender's messages (./group-member.ts). */
  groupReceipts(chat: string, readers: Record<string, string[]>, ts: number): void {
    this.groups.receipts(chat, readers, ts);
  }

  history(chat: string, limit: number): unknown[] {
    const rows = this.sql
      .exec<{ frame: string }>(
        "SELECT frame FROM entries WHERE chat = ? AND msg_id IS NOT NULL ORDER BY seq DESC LIMIT ?",
        chat,
        limit,
      )
      .toArray();
    return rows.reverse().map((r) => (JSON.parse(r.frame) as { message: unknown }).message);
  }

  // ------------------------------------------------------------ frames

  private async onSend(ws: WebSocket, f: SendFrame): Promise<void> {
    const from = this.userId as string;
    // A retry (same clientId) gets the same answer and stores nothing.
    const earlier = this.sql
      .exec<{ frame: string }>("SELECT frame FROM entries WHERE client_id = ?", f.clientId)
      .toArray()[0];
    if (earlier) {
      const m = (JSON.parse(earlier.frame) as { message: { id: string; seq: number; ts: number } }).message;
      return ws.send(JSON.stringify({ type: "sent", clientId: f.clientId, id: m.id, seq: m.seq, ts: m.ts }));
    }
    if (f.chat.startsWith("g:")) return this.groups.send(ws, f);
    const { id, ts, clock } = nextMessageId(Date.now(), this.clock, from);
    this.clock = clock;
    const to = f.chat.slice(2);
    if (this.once && to !== from && to < from) {
      // A guest's message: `sent` once the host has stored it (its answer leaves after its commit).
      await this.peer(to).append({ id, chat: `u:${from}`, from, text: f.text, ts, clientId: f.clientId });
      const seq = ++this.seq;
      ws.send(JSON.stringify({ type: "sent", clientId: f.clientId, id, seq, ts }));
      return this.broadcast(
        JSON.stringify({ type: "message", message: { id, chat: f.chat, from, text: f.text, ts, seq } }),
      );
    }
    const seq = ++this.seq;
    const message = { id, chat: f.chat, from, text: f.text, ts, seq, clientId: f.clientId };
    const frame = JSON.stringify({ type: "message", message });
    this.sql.exec(
      "INSERT INTO entries (seq, msg_id, client_id, chat, sender, frame) VALUES (?, ?, ?, ?, ?, ?)",
      seq,
      id,
      f.clientId,
      f.chat,
      from,
      frame,
    );
    ws.send(JSON.stringify({ type: "sent", clientId: f.clientId, id, seq, ts }));
    this.broadcast(frame);
    // No outbox: the recipient is called at once (calls on one stub arrive in order).
    if (to === from) return;
    const incoming = { id, chat: `u:${from}`, from, text: f.text, ts };
    await (this.once ? this.peer(to).show(incoming) : this.peer(to).deliver(incoming));
  }

  private async onReceived(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    const by = this.userId as string;
    const ts = Date.now();
    const rows = this.markDelivered(by, ids, ts);
    const bySender = new Map<string, string[]>();
    for (const r of rows) bySender.set(r.sender, [...(bySender.get(r.sender) ?? []), r.msg_id]);
    const tell = this.once ? "showReceipt" : "receipt";
    const calls = [...bySender].map(([sender, list]) => this.peer(sender)[tell](by, list, ts));
    if (this.once) {
      // Ids not stored here are a host's messages: the host marks them. An id ends with its
      // sender's user id, after 9 + 4 characters of clock (src/shared/ids.ts).
      const found = new Set(rows.map((r) => r.msg_id));
      const rest = ids.filter((i) => !found.has(i));
      for (const host of new Set(rest.map((i) => i.slice(13)))) calls.push(this.peer(host).guestReceived(by, rest, ts));
    }
    await Promise.all(calls);
  }

  /** Messages of others in this mailbox, marked delivered to `by` (each once). */
  private markDelivered(by: string, ids: string[], ts: number): { sender: string; msg_id: string }[] {
    return this.sql
      .exec<{ sender: string; msg_id: string }>(
        `UPDATE entries SET delivered_at = ?
         WHERE delivered_at IS NULL AND msg_id IN (SELECT value FROM json_each(?)) AND sender <> ?
         RETURNING sender, msg_id`,
        ts,
        JSON.stringify(ids),
        by,
      )
      .toArray();
  }

  private onSync(ws: WebSocket, after: number, batch: boolean): void {
    const frames = this.sql
      .exec<{ frame: string }>("SELECT frame FROM entries WHERE seq > ? ORDER BY seq", after)
      .toArray()
      .map((r) => r.frame);
    if (batch) {
      for (let i = 0; i < frames.length; i += REPLAY_BATCH) {
        ws.send(`{"type":"replay","frames":[${frames.slice(i, i + REPLAY_BATCH).join(",")}]}`);
      }
    } else {
      for (const frame of frames) ws.send(frame);
    }
    ws.send(JSON.stringify({ type: "synced", seq: this.seq }));
  }

  private broadcast(frame: string): void {
    for (const socket of this.ctx.getWebSockets()) {
      try {
        socket.send(frame);
      } catch {
        // closing
      }
    }
  }

  /** Stubs are kept per user, as the real server keeps them (idFromName hashes on every call). */
  private peer(userId: string): DurableObjectStub<UserFloor> {
    let stub = this.stubs.get(userId);
    if (!stub) {
      const ns = (this.env as { USERS: DurableObjectNamespace<UserFloor> }).USERS;
      stub = ns.get(ns.idFromName(userId));
      this.stubs.set(userId, stub);
    }
    return stub;
  }
}

/** The `receipt` frame `by` sends for these ids of ours (the chat is `by`'s, seen from here). */
function receiptFrame(by: string, ids: string[], ts: number): string {
  return JSON.stringify({ type: "receipt", chat: `u:${by}`, ids, status: "delivered", by, ts });
}
