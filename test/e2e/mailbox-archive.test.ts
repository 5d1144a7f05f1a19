// The mailbox's archive against `wrangler dev` (docs/archive.md, "The
// mailbox"), with tiny settings: pages of 10 messages, a hot window of 1 ms.
// One-to-one messages sent over real sockets go to (local) R2 from the
// sender's alarm; history, search, a new device's sync, a reply quoting an
// archived message and a refused edit read through them, and again after the
// runtime is killed and started on the same state (nothing in memory).

import { afterAll, describe, expect, it } from "vitest";
import type { AuthAnswer, Message } from "../../src/shared/protocol";
import { http, RawSocket, registerUser, wholeHistory } from "../support/raw-socket";
import { type RunningServer, restartServer, startWithOperator } from "../support/server";

const PAGE = 10;
const MESSAGES = 45;
const VARS = { ARCHIVE_HOT_MS: "1", ARCHIVE_PAGE_ENTRIES: String(PAGE), ARCHIVE_STEP_GAP_MS: "10" };

interface Stats {
  messages: number;
  archived: number;
  archivedMessages: number;
}

describe("mailbox archive, end to end", () => {
  let server: RunningServer | undefined;
  afterAll(async () => server?.stop());

  it("archives a user's old messages, and history, search and sync reach them, before and after a restart", async () => {
    const started = await startWithOperator({ vars: VARS });
    const { operator, options } = started;
    server = started.server;
    const base = server.url;
    const x: AuthAnswer = await registerUser(base, "alice");
    const y: AuthAnswer = await registerUser(base, "bob");
    // The sender's id sorts first: her messages are rows of her own mailbox whatever HOSTED_GUEST_SEND says
    // (a guest's would be stored at its host: docs/one-copy-per-chat.md).
    const [alice, bob] = x.user.id < y.user.id ? [x, y] : [y, x];
    const chat = `u:${bob.user.id}`;
    const socket = await RawSocket.open(base, alice.token);
    const texts = Array.from({ length: MESSAGES }, (_, i) => `note ${i}${i === 12 ? " zebra" : ""}`);
    const ids: string[] = [];
    for (const [i, text] of texts.entries()) {
      socket.send({ type: "send", clientId: `c${i}`, chat, text });
      ids.push((await socket.next("sent", (f) => f.clientId === `c${i}`)).id);
    }
    const stats = async () =>
      (await http<Stats>(base, `/api/admin/users/${alice.user.id}/stats`, { token: operator.token })).body;
    const want = Math.floor((MESSAGES - 1) / PAGE);
    let s = await stats();
    for (let i = 0; i < 900 && s.archived < want; i++) {
      await new Promise((r) => setTimeout(r, 100));
      s = await stats();
    }
    expect(s.archived).toBe(want);
    expect(s.messages + s.archivedMessages).toBe(MESSAGES);

    const check = async (url: string) => {
      const history = await wholeHistory(url, alice.token, chat);
      expect(history.map((m) => m.text)).toEqual(texts);
      const found = await http<{ messages: Message[] }>(url, "/api/search?q=zebra", { token: alice.token });
      expect(found.body.messages.map((m) => m.id)).toEqual([ids[12]]);
      const device = await RawSocket.open(url, alice.token);
      await device.sync(0);
      const synced = device.of("message").map((f) => f.message);
      expect(synced.map((m) => m.text)).toEqual(texts);
      device.close();
      // Bob's mailbox is his own: his copies are all there.
      const his = await wholeHistory(url, bob.token, `u:${alice.user.id}`);
      expect(his.map((m) => m.text)).toEqual(texts);
    };
    await check(base);
    socket.send({ type: "edit", clientId: "e0", id: ids[0], text: "too late" });
    expect(await socket.next("error", (f) => f.clientId === "e0")).toMatchObject({ code: "message_archived" });
    socket.close();

    // Killed and started again on the same state: the pages are read back from R2, nothing from memory.
    server = await restartServer(server, options);
    await check(server.url);
    // A reply quoting an archived message, from the new runtime.
    const again = await RawSocket.open(server.url, alice.token);
    again.send({ type: "send", clientId: "r0", chat, text: "re", replyTo: ids[1] });
    await again.next("sent", (f) => f.clientId === "r0");
    const last = (await wholeHistory(server.url, alice.token, chat)).at(-1);
    expect(last?.replyTo).toMatchObject({ id: ids[1], excerpt: texts[1] });
    again.close();
  }, 240_000);
});
