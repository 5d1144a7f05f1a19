// Receipts of a member who joined after the group began: its first read (its
// read mark still "") names only messages of its windows, whether the shared
// tail answers (one window: ./receipt-tail.ts, from its `since`) or SQL does
// (a member who left and came back has two).

import { describe, expect, it } from "vitest";
import type { AuthAnswer } from "../../shared/protocol";
import { clearAlarms, settle, team } from "../../test/groups";
import { api, connect, register, type TestSocket } from "../../test/helpers";

let sends = 0;
async function send(socket: TestSocket, chat: string, text: string): Promise<string> {
  const clientId = `c${++sends}`;
  socket.send({ type: "send", clientId, chat, text });
  return (await socket.next("sent", (f) => f.clientId === clientId)).id;
}

describe("a later member's first read", { timeout: 60_000 }, () => {
  it("names the messages from its joining on, and those of each window after it came back", async () => {
    const { admin, group, chat } = await team(2);
    const carol: AuthAnswer = await register();
    const members = (method: string, path = "") =>
      api(`/api/groups/${group.id}/members${path}`, { method, token: admin.token, body: { userId: carol.user.id } });
    const a = await connect(admin.token);
    await send(a, chat, "before");
    expect((await members("POST")).status).toBe(200);
    const c = await connect(carol.token);
    const first = await send(a, chat, "first window");
    await c.next("message", (f) => f.message.id === first);
    c.send({ type: "read", chat, upTo: first });
    const once = await a.next("receipt", (f) => f.by === carol.user.id);
    expect(once).toMatchObject({ chat, status: "read", ids: [first] });

    // Dave's membership has two windows: the first read after he came back asks SQL with both.
    const dave: AuthAnswer = await register();
    const daveIn = (method: string, path = "") =>
      api(`/api/groups/${group.id}/members${path}`, { method, token: admin.token, body: { userId: dave.user.id } });
    expect((await daveIn("POST")).status).toBe(200);
    const d = await connect(dave.token);
    const inFirst = await send(a, chat, "dave's first window");
    await d.next("message", (f) => f.message.id === inFirst);
    expect((await daveIn("DELETE", `/${dave.user.id}`)).status).toBe(200);
    const whileOut = await send(a, chat, "while dave is out");
    expect((await daveIn("POST")).status).toBe(200);
    const inSecond = await send(a, chat, "dave's second window");
    await d.next("message", (f) => f.message.id === inSecond);
    d.send({ type: "read", chat, upTo: inSecond });
    const twice = await a.next("receipt", (f) => f.by === dave.user.id && f.status === "read");
    expect(twice.ids).toEqual([inFirst, inSecond]);
    expect(twice.ids).not.toContain(whileOut);

    for (const s of [a, c, d]) s.close();
    await settle(group.id);
    await clearAlarms([group.id], [admin.user.id, carol.user.id, dave.user.id]);
  });
});
