// Fills one mailbox the honest way: real users send real messages over real
// WebSockets, through the production path (sender's object, outbox, the
// reader's object), several senders at once, each below the per-user frame
// rate and with a window of sends in flight. No bulk or admin path exists.

import { FRAME_RATE_PER_SECOND } from "../../src/shared/limits";
import type { ChatSummary, ServerFrame } from "../../src/shared/protocol";
import { http } from "../../test/support/raw-socket";

export interface SenderJob {
  token: string;
  /** The chat to send to, as the sender sees it: `u:<readerId>`. */
  chat: string;
  texts: string[];
}

const WINDOW = 64;
const RATE = FRAME_RATE_PER_SECOND * 0.9;

function open(baseUrl: string, token: string): Promise<WebSocket> {
  const ws = new WebSocket(`${baseUrl.replace(/^http/, "ws")}/ws?token=${encodeURIComponent(token)}`);
  return new Promise((resolve, reject) => {
    ws.addEventListener("open", () => resolve(ws), { once: true });
    ws.addEventListener("error", () => reject(new Error("socket failed to open")), { once: true });
  });
}

/**
 * Sends every text; resolves with the ids, by text. What the server refused
 * for rate, and what was in flight when the socket dropped (a server reload,
 * say), is sent again with the same clientId, which the server deduplicates.
 */
export async function runSender(baseUrl: string, job: SenderJob, onSent: () => void): Promise<string[]> {
  const queue = job.texts.map((_, i) => i);
  const inFlight = new Set<number>();
  const ids: string[] = [];
  let tokens = RATE;
  let last = Date.now();
  let acked = 0;
  let failure: Error | null = null;
  let ws: WebSocket | null = null;

  const onMessage = (event: MessageEvent) => {
    const data = String(event.data);
    if (data === "pong") return;
    const frame = JSON.parse(data) as ServerFrame;
    if (frame.type === "sent") {
      const i = Number(frame.clientId.slice(1));
      if (!inFlight.delete(i)) return;
      acked++;
      ids[i] = frame.id;
      onSent();
    } else if (frame.type === "error") {
      const i = Number(frame.clientId?.slice(1));
      if (frame.code === "rate_limited" && inFlight.delete(i)) queue.unshift(i);
      else failure = new Error(`send failed: ${frame.code} ${frame.message}`);
    }
  };
  let opened = 0;
  const connect = async () => {
    if (opened++ > 0) process.stderr.write(`sender reconnects (${inFlight.size + queue.length} to go)\n`);
    for (let attempt = 0; ; attempt++) {
      try {
        const socket = await open(baseUrl, job.token);
        socket.addEventListener("message", onMessage);
        socket.addEventListener("close", () => {
          if (ws !== socket) return;
          ws = null;
          queue.unshift(...[...inFlight].sort((a, b) => a - b));
          inFlight.clear();
        });
        ws = socket;
        return;
      } catch (err) {
        if (attempt >= 30) throw err;
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  };
  const pump = (socket: WebSocket) => {
    const now = Date.now();
    tokens = Math.min(RATE, tokens + ((now - last) / 1000) * RATE);
    last = now;
    while (queue.length > 0 && inFlight.size < WINDOW && tokens >= 1) {
      const i = queue.shift() as number;
      inFlight.add(i);
      tokens -= 1;
      socket.send(JSON.stringify({ type: "send", clientId: `b${i}`, chat: job.chat, text: job.texts[i] }));
    }
  };
  const heartbeat = setInterval(() => ws?.send("ping"), 20_000);
  try {
    while (acked < job.texts.length) {
      if (failure) throw failure;
      if (!ws) await connect();
      if (ws) pump(ws);
      await new Promise((r) => setTimeout(r, 20));
    }
  } finally {
    clearInterval(heartbeat);
    (ws as WebSocket | null)?.close(1000, "done");
  }
  return ids;
}

/** Resolves once the reader's newest message from each sender is the one that sender sent last. */
export async function waitForDelivery(url: string, token: string, newest: [string, string][]): Promise<void> {
  const deadline = Date.now() + 30 * 60_000;
  for (;;) {
    const res = await http<{ chats: ChatSummary[] }>(url, "/api/chats", { token });
    const last = new Map(res.body.chats.map((c) => [c.chat, c.lastMessage?.id]));
    const behind = newest.filter(([id, newestId]) => last.get(`u:${id}`) !== newestId).length;
    if (behind === 0) return;
    if (Date.now() > deadline) throw new Error(`${behind} senders' messages never arrived`);
    await new Promise((r) => setTimeout(r, 500));
  }
}
