// Helpers for the mailbox archive tests (docs/archive.md, "The mailbox"): a
// user's archive settings made tiny on the live instance, steps run by hand,
// its R2 keys listed, faults put into its PUT, and a chat filled over sockets.

import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import type { ArchiveConfig } from "../objects/storage/archive-config";
import type { MailboxArchive, PutPage } from "../objects/user/mailbox-archive";
import type { UserParts } from "../objects/user/parts";
import { TokenBucket } from "../objects/user/rate-limit";
import type { Message } from "../shared/protocol";
import { sendAndWait } from "./actions";
import { pairSenderFirst } from "./copies";
import { api, type TestSocket, userStub } from "./helpers";
import { hostedSendOff, hostedSendOn } from "./hosted";

/** Tiny pages, old at once, no minimum age; steps only when asked (the alarm's next step an hour away). */
export const TINY: Partial<ArchiveConfig> = { pageEntries: 5, hotMs: 1, minAgeMs: 0, stepGapMs: 3_600_000 };

function archiveOf(instance: unknown): MailboxArchive {
  return (instance as { parts: UserParts }).parts.archive;
}

/** Sets the archive's settings on the live instance (a restart brings back those of the environment). */
export async function configureArchive(userId: string, config: Partial<ArchiveConfig>): Promise<void> {
  await runInDurableObject(userStub(userId) as DurableObjectStub, (instance) => {
    const archive = archiveOf(instance);
    archive.config = { ...archive.config, ...config };
  });
}

/** Replaces the archive's PUT with `wrap(real)` in the live instance. */
export async function wrapPut(userId: string, wrap: (real: PutPage) => PutPage): Promise<void> {
  await runInDurableObject(userStub(userId) as DurableObjectStub, (instance) => {
    const archive = archiveOf(instance);
    archive.put = wrap(archive.put);
  });
}

/** Runs archive steps until one has nothing to do; answers how many pages were written. */
export async function archiveAll(userId: string): Promise<number> {
  let written = 0;
  for (;;) {
    const done = await userStub(userId).archiveStep();
    if (done === null) return written;
    if (done === "written") written += 1;
  }
}

/** The user's pages in R2. */
export async function keysOf(userId: string): Promise<string[]> {
  const listed = await env.ARCHIVE.list({ prefix: `archive/u/${userId}/` });
  return listed.objects.map((o) => o.key);
}

/** Sends these texts one after the other over a socket; answers their ids. */
export async function sendAll(socket: TestSocket, chat: string, texts: string[]): Promise<string[]> {
  const ids: string[] = [];
  for (const text of texts) ids.push((await sendAndWait(socket, chat, text, `c-${crypto.randomUUID()}`)).id);
  return ids;
}

/** A chat's history through the HTTP route, paged back `limit` at a time. */
export async function historyPages(token: string, chat: string, limit = 100): Promise<Message[]> {
  const all: Message[] = [];
  let before: string | undefined;
  for (let i = 0; i < 100; i++) {
    const query = `limit=${limit}${before ? `&before=${before}` : ""}`;
    const res = await api(`/api/chats/${chat}/messages?${query}`, { token });
    if (res.status !== 200) throw new Error(`history ${res.status}: ${await res.text()}`);
    const page = ((await res.json()) as { messages: Message[] }).messages;
    all.unshift(...page);
    if (page.length < limit) break;
    before = page[0]?.id;
  }
  return all;
}

/**
 * Alice and Bob for tests of today's copies (a copy in each mailbox), whatever
 * the run's HOSTED_GUEST_SEND: Alice's id sorts first, so only Bob's send could
 * make the chat hosted, and his is pinned off; hers too, for the chat's state
 * (docs/one-copy-per-chat.md). Alice's pin is lost when her object dies; that
 * order keeps the chat as it is.
 */
export async function copiesPair() {
  const p = await pairSenderFirst();
  await hostedSendOff(p.alice.user.id);
  await hostedSendOff(p.bob.user.id);
  return p;
}

/**
 * Alice and Bob with 14 one-to-one messages between them (12 from Alice, 2 from Bob), Alice's archive made tiny.
 * `hosted`: Bob's send on, so from his first message Alice hosts the chat (rows with positions in her mailbox).
 */
export async function chatted(hosted = false) {
  const p = await copiesPair();
  if (hosted) await hostedSendOn(p.bob.user.id);
  const fromAlice = Array.from({ length: 12 }, (_, i) => `hello number ${i} turnip${i === 3 ? " zebra" : ""}`);
  const ids = await sendAll(p.a, p.toBob, fromAlice.slice(0, 6));
  ids.push(...(await sendAll(p.b, p.toAlice, ["bob one", "bob two"])));
  ids.push(...(await sendAll(p.a, p.toBob, fromAlice.slice(6))));
  // Bob's object has every one of Alice's (so her peer log is confirmed).
  await p.b.until((s) => s.of("message").filter((f) => f.message.from === p.alice.user.id).length === 12);
  await configureArchive(p.alice.user.id, TINY);
  const before = await historyPages(p.alice.token, p.toBob);
  return { ...p, ids, before };
}

/** No frame budget on the live instance (a long run sends faster than a person). */
export async function unlimitFrames(userId: string): Promise<void> {
  await runInDurableObject(userStub(userId) as DurableObjectStub, (instance) => {
    Object.assign((instance as unknown as { parts: UserParts }).parts, { frames: new TokenBucket(1e6, 1e6) });
  });
}
