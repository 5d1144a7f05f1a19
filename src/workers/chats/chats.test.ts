import { describe, expect, it } from "vitest";
import { api, connect, register, userStub } from "../../test/helpers";

async function codeOf(res: Response) {
  return ((await res.json()) as { error: { code: string } }).error.code;
}

describe("history and chats over HTTP", () => {
  it("pages a chat oldest first, just before `before`", async () => {
    const alice = await register();
    const bob = await register();
    const a = await connect(alice.token);
    for (let i = 0; i < 7; i++) {
      a.send({ type: "send", clientId: `h${i}`, chat: `u:${bob.user.id}`, text: `t${i}` });
      await a.next("sent", (f) => f.clientId === `h${i}`);
    }
    const page1 = await api(`/api/chats/u:${bob.user.id}/messages?limit=3`, { token: alice.token });
    const newest = ((await page1.json()) as { messages: { id: string; text: string }[] }).messages;
    expect(newest.map((m) => m.text)).toEqual(["t4", "t5", "t6"]);
    const page2 = await api(`/api/chats/u:${bob.user.id}/messages?limit=3&before=${newest[0]?.id}`, {
      token: alice.token,
    });
    expect(((await page2.json()) as { messages: { text: string }[] }).messages.map((m) => m.text)).toEqual([
      "t1",
      "t2",
      "t3",
    ]);
    const chats = await api("/api/chats", { token: alice.token });
    expect(await chats.json()).toEqual({
      chats: [
        expect.objectContaining({
          chat: `u:${bob.user.id}`,
          unread: 0,
          lastMessage: expect.objectContaining({ text: "t6" }),
        }),
      ],
    });
    // Bob has 7 unread until he reads them (delivery to bob is asynchronous).
    for (let i = 0; i < 100 && (await userStub(bob.user.id).stats()).messages < 7; i++) {
      await new Promise((r) => setTimeout(r, 20));
    }
    const bobChats = (await (await api("/api/chats", { token: bob.token })).json()) as {
      chats: { chat: string; unread: number; lastMessage: { id: string } }[];
    };
    expect(bobChats.chats[0]).toMatchObject({ chat: `u:${alice.user.id}`, unread: 7 });
    a.close();
  });

  it.each([
    ["/api/chats/bob/messages", 400, "invalid_chat"],
    ["/api/chats/u:0123456789abcdef/messages?limit=0", 400, "invalid_field"],
    ["/api/chats/u:0123456789abcdef/messages?limit=101", 400, "invalid_field"],
    ["/api/chats/u:0123456789abcdef/messages?limit=abc", 400, "invalid_field"],
    ["/api/chats/u:0123456789abcdef/messages?before=x", 400, "invalid_field"],
    ["/api/nothing-here", 404, "not_found"],
  ])("GET %s answers %i %s", async (path, status, code) => {
    const { token } = await register();
    const res = await api(path, { token });
    expect(res.status).toBe(status);
    expect(await codeOf(res)).toBe(code);
  });

  it("an unknown chat is an empty page, and needs a token", async () => {
    const { token } = await register();
    const res = await api("/api/chats/u:0123456789abcdef/messages", { token });
    expect(await res.json()).toEqual({ messages: [] });
    expect((await api("/api/chats")).status).toBe(401);
  });
});
