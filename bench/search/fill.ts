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

/** Sends every text, retrying (same clientId) what the server refused for rate; resolves with the ids, by text. */
export async function runSender(baseUrl: string, job: SenderJob, onSent: () => void): Promise<string[]> {
  const ws = new WebSocket(`${baseUrl.replace(/^http/, "ws")}/ws?token=${encodeURIComponent(job.token)}`);
  await new Promise<void>((resolve, reject) => {
    ws.addEventListener("open", () => resolve(), { once: true });
    ws.addEventListener("error", () => reject(new Error("socket failed to open")), { once: true });
  });
  const queue = job.texts.map((_, i) => i);
  const inFlight = new Set<number>();
  const ids: string[] = [];
  let tokens = RATE;
  let last = Date.now();
  let acked = 0;
  let failure: Error | null = null;

  const pump = () => {
    const now = Date.now();
    tokens = Math.min(RATE, tokens + ((now - last) / 1000) * RATE);
    last = now;
    while (queue.length > 0 && inFlight.size < WINDOW && tokens >= 1) {
      const i = queue.shift() as number;
      inFlight.add(i);
      tokens -= 1;
      ws.send(JSON.stringify({ type: "send", clientId: `b${i}`, chat: job.chat, text: job.texts[i] }));
    }
  };
  ws.addEventListener("message", (event) => {
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
  });
  ws.addEventListener("close", () => {
    if (acked < job.texts.length) failure ??= new Error("socket closed early");
  });
  const heartbeat = setInterval(() => ws.send("ping"), 20_000);
  try {
    while (acked < job.texts.length) {
      if (failure) throw failure;
      pump();
      await new Promise((r) => setTimeout(r, 20));
    }
  } finally {
    clearInterval(heartbeat);
    ws.close(1000, "done");
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
