// The group log's archive against `wrangler dev` (docs/archive.md), with tiny
// settings: pages of 10 entries, a hot window of 1 ms. Messages sent over
// real sockets go to (local) R2 from the group's alarm; history, search, a
// new device's sync and a refused delete read through them, and again after
// the runtime is killed and started on the same state (nothing in memory).

import { afterAll, describe, expect, it } from "vitest";
import type { AuthAnswer, Message } from "../../src/shared/protocol";
import { http, RawSocket, registerUser, wholeHistory } from "../support/raw-socket";
import { type RunningServer, restartServer, startWithOperator } from "../support/server";

const PAGE = 10;
const MESSAGES = 64;
const VARS = { ARCHIVE_HOT_MS: "1", ARCHIVE_PAGE_ENTRIES: String(PAGE), ARCHIVE_STEP_GAP_MS: "10" };

interface Stats {
  log: number;
  behind: number;
  archived: number;
}

describe("group log archive, end to end", () => {
  let server: RunningServer | undefined;
  afterAll(async () => server?.stop());

  it("archives over real sockets, and every read reaches the pages, before and after a restart", async () => {
    const started = await startWithOperator({ vars: VARS });
    const { operator, options } = started;
    server = started.server;
    const base = server.url;
    const poster: AuthAnswer = await registerUser(base, "poster");
    const reader: AuthAnswer = await registerUser(base, "reader");
    const made = await http<{ id: string }>(base, "/api/groups", {
      method: "POST",
      token: poster.token,
      body: { name: "archive", members: [reader.user.id] },
    });
    expect(made.status).toBe(201);
    const chat = `g:${made.body.id}`;
    const socket = await RawSocket.open(base, poster.token);
    const texts = Array.from({ length: MESSAGES }, (_, i) => `entry ${i}${i === 30 ? " zebra" : ""}`);
    const ids: string[] = [];
    for (const [i, text] of texts.entries()) {
      socket.send({ type: "send", clientId: `c${i}`, chat, text });
      ids.push((await socket.next("sent", (f) => f.clientId === `c${i}`)).id);
    }
    const stats = async () =>
      (await http<Stats>(base, `/api/admin/groups/${made.body.id}/stats`, { token: operator.token })).body;
    let s = await stats();
    for (let i = 0; i < 200 && s.archived < Math.floor((MESSAGES - 1) / PAGE); i++) {
      await new Promise((r) => setTimeout(r, 100));
      s = await stats();
    }
    expect(s.archived).toBeGreaterThanOrEqual(Math.floor((MESSAGES - 1) / PAGE));

    const check = async (url: string) => {
      const history = (await wholeHistory(url, reader.token, chat)).filter((m) => !m.system);
      expect(history.map((m) => m.text)).toEqual(texts);
      const found = await http<{ messages: Message[] }>(url, "/api/search?q=zebra", { token: reader.token });
      expect(found.body.messages.map((m) => m.id)).toEqual([ids[30]]);
      const device = await RawSocket.open(url, reader.token);
      await device.sync(0);
      const synced = device
        .of("message")
        .map((f) => f.message)
        .filter((m) => m.chat === chat && !m.system);
      expect(synced.map((m) => m.text)).toEqual(texts);
      device.close();
    };
    await check(base);
    socket.send({ type: "delete", clientId: "d0", id: ids[0], for: "everyone" });
    expect(await socket.next("error", (f) => f.clientId === "d0")).toMatchObject({ code: "message_archived" });
    socket.close();

    // Killed and started again on the same state: the pages are read back from R2, nothing from memory.
    server = await restartServer(server, options);
    await check(server.url);
    expect((await stats()).archived).toBe(s.archived);
  }, 180_000);
});
