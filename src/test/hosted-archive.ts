// Helpers for the tests of a hosted chat's archived pages (user/hosted-archive*.test.ts):
// a hosted chat filled through the guest's RPC, everything the guest can read
// of it, and a page rewritten in R2 as the code before positions wrote it.

import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import type { GroupEntry } from "../objects/group-entry";
import { encodePage } from "../objects/storage/archive-codec";
import { matchExpression } from "../objects/user/search-query";
import { register, userStub } from "./helpers";
import { guestMessage, hostAndGuest } from "./hosted";

type Stub = ReturnType<typeof userStub>;

export function value<T>(answer: { ok: true; value: T } | { ok: false; error: { code: string } }): T {
  if (!answer.ok) throw new Error(`refused: ${answer.error.code}`);
  return answer.value;
}

/**
 * A hosted chat with `n` guest messages (texts `m1`...), and the guest's
 * reaction to the third after the fifth. `other`: a message of another
 * (not hosted) chat delivered after every `other` of them, so that pages
 * hold both.
 */
export async function hostedChat(n: number, other = 0) {
  const hg = await hostAndGuest();
  const g = hg.guest.user.id;
  const third = other > 0 ? (await register()).user.id : "";
  const ids: string[] = [];
  for (let i = 1; i <= n; i++) {
    ids.push(value(await hg.stub.appendFromGuest(g, guestMessage(`c${i}`, 100 + i, { text: `m${i} turnip` }))).id);
    if (i === 5) value(await hg.stub.hostedChange(g, "r1", { action: "react", id: ids[2] ?? "", emoji: "👍" }));
    if (other > 0 && i % other === 0) {
      const at = Date.now();
      const id = `${at.toString(36).padStart(9, "0")}${i.toString(36).padStart(4, "0")}${third.slice(-16)}`;
      await hg.stub.accept([{ kind: "message", id, chat: `u:${third}`, from: third, text: `other ${i}`, ts: at }]);
    }
  }
  return { ...hg, g, ids };
}

/** Everything the guest reads of the chat, each read in small pieces so that they cross pages. */
export async function guestView(stub: Stub, guest: string, last: number) {
  const pulled: GroupEntry[] = [];
  let after = "";
  for (let i = 0; i < 100; i++) {
    const page = value(await stub.hostedPull(guest, after, 4));
    pulled.push(...page.entries);
    if (page.through === null) break;
    after = page.through;
  }
  const ranged: GroupEntry[] = [];
  for (let from = 1; from <= last; from += 3) ranged.push(...value(await stub.hostedEntries(guest, from, from + 2)));
  const history: GroupEntry[] = [];
  let before: string | undefined;
  for (let i = 0; i < 100; i++) {
    const page = value(await stub.hostedHistory(guest, before, 3));
    history.unshift(...page);
    if (page.length < 3) break;
    before = page[0]?.id;
  }
  const bulk: GroupEntry[] = [];
  after = "";
  for (let i = 0; i < 100; i++) {
    const page = value(await stub.hostedPull(guest, after, 1000));
    bulk.push(...page.entries);
    if (page.through === null) break;
    after = page.through;
  }
  const whole = value(await stub.hostedEntries(guest, 1, last));
  const searched: GroupEntry[] = [];
  let below: string | undefined;
  for (let i = 0; i < 100; i++) {
    const page = value(await stub.hostedSearch(guest, matchExpression(["turnip"]), below, 10));
    searched.push(...page);
    if (page.length === 0) break;
    below = page.at(-1)?.id;
  }
  const one: (GroupEntry | null)[] = [];
  for (const e of history) one.push(value(await stub.hostedMessage(guest, e.id)));
  return { pulled, bulk, ranged, whole, history, one, searched };
}

/** Rewrites the page at `key` as the code before positions wrote it (no `pos`, `guest_seq`, `hidden`), index too. */
export async function asOldPage(userId: string, key: string): Promise<void> {
  const object = await env.ARCHIVE.get(key);
  if (!object) throw new Error(`no page ${key}`);
  const text = await new Response(object.body.pipeThrough(new DecompressionStream("gzip"))).text();
  const page = JSON.parse(text) as { first: number; last: number; rows: Record<string, unknown>[] };
  for (const row of page.rows) {
    delete row.pos;
    delete row.guest_seq;
    delete row.hidden;
  }
  const encoded = await encodePage(page, page.rows);
  await env.ARCHIVE.put(key, encoded.bytes);
  await runInDurableObject(userStub(userId) as DurableObjectStub, (_, state) => {
    state.storage.sql.exec(
      "UPDATE archive_pages SET sha256 = ?, bytes = ? WHERE key = ?",
      encoded.sha256,
      encoded.bytes.length,
      key,
    );
  });
}

/** The rows of the page at `key`, as R2 holds them. */
export async function pageRows(key: string): Promise<Record<string, unknown>[]> {
  const object = await env.ARCHIVE.get(key);
  if (!object) throw new Error(`no page ${key}`);
  const text = await new Response(object.body.pipeThrough(new DecompressionStream("gzip"))).text();
  return (JSON.parse(text) as { rows: Record<string, unknown>[] }).rows;
}
