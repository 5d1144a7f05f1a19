import { describe, expect, it } from "vitest";
import type { Message } from "../../shared/protocol";
import { clearAlarms, createGroup, settle } from "../../test/groups";
import { api, connect, register } from "../../test/helpers";

async function hits(token: string, q: string): Promise<Message[]> {
  const res = await api(`/api/search?q=${encodeURIComponent(q)}`, { token });
  expect(res.status).toBe(200);
  return ((await res.json()) as { messages: Message[] }).messages;
}

describe("search in groups", { timeout: 30_000 }, () => {
  it("finds group messages for members only, and nothing sent after a member left", async () => {
    const [alice, bob, carol] = [await register(), await register(), await register()];
    const group = await createGroup(alice.token, "Pizza club", [bob.user.id]);
    const chat = `g:${group.id}` as const;
    const socket = await connect(alice.token);
    socket.send({ type: "send", clientId: "g1", chat, text: "margherita on friday" });
    const first = await socket.next("sent", (f) => f.clientId === "g1");
    await settle(group.id);

    for (const member of [alice, bob]) {
      expect((await hits(member.token, "margh fri")).map((m) => [m.id, m.chat])).toEqual([[first.id, chat]]);
    }
    expect(await hits(carol.token, "margherita")).toEqual([]);
    // The "created" system message carries the group's name as text: not a hit.
    expect(await hits(bob.token, "pizza club")).toEqual([]);

    const removed = await api(`/api/groups/${group.id}/members/${bob.user.id}`, {
      method: "DELETE",
      token: alice.token,
    });
    expect(removed.status).toBe(200);
    socket.send({ type: "send", clientId: "g2", chat, text: "margherita again, without bob" });
    const second = await socket.next("sent", (f) => f.clientId === "g2");
    await settle(group.id);
    expect((await hits(alice.token, "margherita")).map((m) => m.id)).toEqual([second.id, first.id]);
    // Bob keeps what he had, and gets nothing newer.
    expect((await hits(bob.token, "margherita")).map((m) => m.id)).toEqual([first.id]);
    socket.close();
    await clearAlarms([group.id], [alice.user.id, bob.user.id]);
  });
});
