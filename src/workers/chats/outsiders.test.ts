// Issue 20, item 2: a user who is not in a group asks its log for anything
// (history, message info, read, typing) and gets 403 not_member, the very
// answer that a group which does not exist gets, and nothing of the group:
// no name, no member, no message. Before, history answered 200 with an empty
// page, which a client cannot tell from "no messages yet".

import { describe, expect, it } from "vitest";
import { randomId } from "../../shared/ids";
import { clearAlarms, settle, team } from "../../test/groups";
import { api, connect, register, type TestSocket, userStub } from "../../test/helpers";

async function answer(path: string, token: string) {
  const res = await api(path, { token });
  return { status: res.status, body: await res.text() };
}

async function frameCode(socket: TestSocket, frame: Record<string, unknown>): Promise<string | undefined> {
  const before = socket.of("error").length;
  socket.send(frame);
  await socket.until((s) => s.of("error").length > before, 5000);
  return socket.of("error")[before]?.code;
}

describe("a group's log, asked by one who is not in it", { timeout: 60_000 }, () => {
  it("answers 403 not_member, as for a group that does not exist, and shows nothing of it", async () => {
    const { users, admin, rest, group, chat } = await team(2);
    const outsider = await register();
    const a = await connect(admin.token);
    a.send({ type: "send", clientId: "m1", chat, text: "members only, secret words" });
    const sent = await a.next("sent");
    await settle(group.id);
    const ghost = `g:${randomId()}`;

    const o = await connect(outsider.token);
    for (const target of [chat, ghost]) {
      const history = await answer(`/api/chats/${target}/messages`, outsider.token);
      const info = await answer(`/api/chats/${target}/messages/${sent.id}/receipts`, outsider.token);
      for (const got of [history, info]) {
        expect(got.status).toBe(403);
        expect(JSON.parse(got.body)).toEqual({ error: { code: "not_member", message: expect.any(String) } });
        for (const secret of ["secret", "team", admin.user.id, rest[0]?.user.id ?? "", group.id]) {
          expect(got.body).not.toContain(secret);
        }
      }
      expect(await frameCode(o, { type: "read", chat: target, upTo: sent.id })).toBe("not_member");
      expect(await frameCode(o, { type: "typing", chat: target })).toBe("not_member");
    }
    // The two answers are the same, word for word.
    const one = await answer(`/api/chats/${chat}/messages`, outsider.token);
    const other = await answer(`/api/chats/${ghost}/messages`, outsider.token);
    expect(one).toEqual(other);
    // Nothing was stored for the outsider, and the members' reads still work.
    expect((await userStub(outsider.user.id).stats()).messages).toBe(0);
    expect((await userStub(outsider.user.id).chats()).map((c) => c.chat)).toEqual([]);
    const members = await answer(`/api/chats/${chat}/messages`, rest[0]?.token ?? "");
    expect(members.status).toBe(200);
    expect(members.body).toContain("secret words");
    a.close();
    o.close();
    await clearAlarms([group.id], [...users.map((u) => u.user.id), outsider.user.id]);
  });
});
