import { describe, expect, it } from "vitest";
import { randomId } from "../../shared/ids";
import type { AuthAnswer, Message } from "../../shared/protocol";
import { api, connect, register, userStub } from "../../test/helpers";

let clock = Date.now();
/** Delivers messages to `to` the way the outbox does (UserObject.accept), from `from`. */
async function deliver(to: AuthAnswer, from: AuthAnswer, texts: string[]): Promise<string[]> {
  const ids = texts.map(() => `${(clock++).toString(36).padStart(9, "0")}0000${randomId()}`);
  await userStub(to.user.id).accept(
    texts.map((text, i) => ({
      kind: "message",
      id: ids[i] ?? "",
      chat: `u:${from.user.id}`,
      from: from.user.id,
      text,
      ts: clock,
    })),
  );
  return ids;
}

async function search(token: string, query: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await api(`/api/search?${query}`, { token });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function hits(token: string, q: string, extra = ""): Promise<Message[]> {
  const res = await search(token, `q=${encodeURIComponent(q)}${extra}`);
  expect(res.status).toBe(200);
  return res.body.messages as Message[];
}

describe("GET /api/search", () => {
  it("finds the caller's messages by whole words and word prefixes, with chat and id", async () => {
    const [alice, bob] = [await register(), await register()];
    const [id] = await deliver(bob, alice, ["The quick brown fox jumps"]);
    await deliver(bob, alice, ["nothing to see here"]);
    for (const q of ["quick", "QUICK", "qui", "fox quick", "br ju", "  quick!!  "]) {
      const found = await hits(bob.token, q);
      expect(found, q).toHaveLength(1);
      expect(found[0]).toMatchObject({
        id,
        chat: `u:${alice.user.id}`,
        from: alice.user.id,
        text: "The quick brown fox jumps",
      });
    }
    expect(await hits(bob.token, "cat")).toEqual([]);
    expect(await hits(bob.token, "quick cat")).toEqual([]);
    // Prefix of the query word, not infix of the text.
    expect(await hits(bob.token, "uick")).toEqual([]);
  });

  it("matches letters with or without accents, and non-Latin words", async () => {
    const [alice, bob] = [await register(), await register()];
    await deliver(bob, alice, ["Rendez-vous au café à Zürich", "Встретимся завтра"]);
    expect(await hits(bob.token, "cafe zurich")).toHaveLength(1);
    expect(await hits(bob.token, "CAFÉ")).toHaveLength(1);
    expect(await hits(bob.token, "завт")).toHaveLength(1);
  });

  it("never finds another user's messages", async () => {
    const [alice, bob, carol] = [await register(), await register(), await register()];
    await deliver(bob, alice, ["secret rendezvous at noon"]);
    expect(await hits(bob.token, "rendezvous")).toHaveLength(1);
    expect(await hits(carol.token, "rendezvous")).toEqual([]);
    expect(await hits(alice.token, "rendezvous")).toEqual([]);
  });

  it("finds what the caller sent, with its clientId", async () => {
    const [alice, bob] = [await register(), await register()];
    const socket = await connect(alice.token);
    socket.send({ type: "send", clientId: "s1", chat: `u:${bob.user.id}`, text: "lunch tomorrow?" });
    const sent = await socket.next("sent");
    const found = await hits(alice.token, "lunch");
    expect(found).toEqual([expect.objectContaining({ id: sent.id, chat: `u:${bob.user.id}`, clientId: "s1" })]);
    socket.close();
  });

  it("answers newest first and pages with before and limit", async () => {
    const [alice, bob] = [await register(), await register()];
    const ids = await deliver(
      bob,
      alice,
      Array.from({ length: 7 }, (_, i) => `meeting number ${i}`),
    );
    await deliver(bob, alice, ["unrelated"]);
    const first = await hits(bob.token, "meeting", "&limit=3");
    expect(first.map((m) => m.id)).toEqual([ids[6], ids[5], ids[4]]);
    const second = await hits(bob.token, "meeting", `&limit=3&before=${first[2]?.id}`);
    expect(second.map((m) => m.id)).toEqual([ids[3], ids[2], ids[1]]);
    const last = await hits(bob.token, "meeting", `&limit=3&before=${second[2]?.id}`);
    expect(last.map((m) => m.id)).toEqual([ids[0]]);
    expect(await hits(bob.token, "meeting", `&before=${ids[0]}`)).toEqual([]);
    expect(await hits(bob.token, "meeting")).toHaveLength(7);
  });

  it("leaves group system messages out", async () => {
    const [alice, bob] = [await register(), await register()];
    const group = randomId();
    await userStub(bob.user.id).accept([
      {
        kind: "message",
        id: `${(clock++).toString(36).padStart(9, "0")}0000${randomId()}`,
        chat: `g:${group}`,
        from: alice.user.id,
        text: "alice added bob",
        ts: clock,
        system: { event: "added", user: bob.user.id, by: alice.user.id },
      },
    ]);
    expect(await hits(bob.token, "added")).toEqual([]);
  });

  it.each([
    '"',
    '""',
    "*",
    "AND OR (",
    "NOT",
    "NEAR(a b, 2)",
    "text:quick",
    "-quick",
    "^quick",
    "quick*",
    '"quick',
    'quick" OR "x',
    "(quick) AND {x}",
    "'; DROP TABLE messages; --",
    "\u0000\u0001",
    "🦊",
  ])("answers the hostile query %j with a list, never an error", async (q) => {
    const [alice, bob] = [await register(), await register()];
    await deliver(bob, alice, ["the quick fox", "and or not near text"]);
    const res = await search(bob.token, `q=${encodeURIComponent(q)}`);
    expect(res.status).toBe(200);
    expect(Array.isArray(res.body.messages)).toBe(true);
    // The mailbox is whole afterwards.
    expect(await hits(bob.token, "quick")).toHaveLength(1);
  });

  it("treats operator words as plain words", async () => {
    const [alice, bob] = [await register(), await register()];
    await deliver(bob, alice, ["salt AND pepper", "salt or sugar"]);
    expect((await hits(bob.token, "salt AND pepper")).map((m) => m.text)).toEqual(["salt AND pepper"]);
    expect((await hits(bob.token, "or")).map((m) => m.text)).toEqual(["salt or sugar"]);
    expect(await hits(bob.token, "AND OR (")).toEqual([]);
  });

  it.each([
    ["", 400, "invalid_field"], // no q at all
    ["q=", 200, null],
    [`q=${"a".repeat(10_000)}`, 400, "query_too_long"],
    [`q=${encodeURIComponent("w ".repeat(33))}`, 200, null], // one distinct word
    [`q=${encodeURIComponent(Array.from({ length: 33 }, (_, i) => `w${i}`).join(" "))}`, 400, "query_too_long"],
    ["q=x&limit=0", 400, "invalid_field"],
    ["q=x&limit=101", 400, "invalid_field"],
    ["q=x&limit=ten", 400, "invalid_field"],
    ["q=x&before=nope", 400, "invalid_field"],
    [`q=x&before=${"0".repeat(13)}${randomId()}`, 400, "invalid_field"],
  ])("answers %j with %i %s", async (query, status, code) => {
    const bob = await register();
    const res = await search(bob.token, query);
    expect(res.status).toBe(status);
    if (code) expect(res.body).toEqual({ error: { code, message: expect.any(String) } });
    else expect(res.body).toEqual({ messages: [] });
  });

  it("asks for a token", async () => {
    const res = await api("/api/search?q=x");
    expect(res.status).toBe(401);
  });
});
