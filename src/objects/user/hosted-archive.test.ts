// A hosted chat's rows in the host's archive (./hosted-archive.ts,
// ./mailbox-archive.ts; docs/one-copy-per-chat.md, "A hosted chat's archived
// pages"): pages carry each row's position and guest seq, the guest's pull,
// entries, history and message find every entry once across SQLite and R2,
// the host's own history is what it was, and a page written before positions
// still reads (its rows are then not entries of the log).

import { describe, expect, it } from "vitest";
import { rows } from "../../test/actions";
import { clearAlarms } from "../../test/groups";
import { asOldPage, guestView, hostedChat, pageRows, value } from "../../test/hosted-archive";
import { archiveAll, configureArchive, historyPages, keysOf, TINY } from "../../test/mailbox-archive";
import { encodePage } from "../storage/archive-codec";

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe("a hosted chat's archived pages, read by its guest", { timeout: 120_000 }, () => {
  it("pages carry positions and guest seqs; every entry is read once, at its position, across SQLite and R2", async () => {
    // 48 messages, and one of another chat after every third: 10 pages, more than a pull loads at once (8).
    const { host, g, chat, stub, ids } = await hostedChat(48, 3);
    const last = 49; // 48 messages and the reaction, at position 6
    const before = await guestView(stub, g, last);
    expect(before.whole.map((e) => e.pos)).toEqual(range(1, last));
    expect(before.pulled).toEqual(before.whole);
    expect(before.bulk).toEqual(before.whole);
    expect(before.searched.map((e) => e.id)).toEqual([...ids].reverse());
    expect(before.ranged).toEqual(before.whole);
    // Paged by 10: the mailbox's history loads at most 8 pages a request, and a short page ends the paging.
    const hostHistory = await historyPages(host.token, chat, 10);
    expect(hostHistory).toHaveLength(48);

    await configureArchive(host.user.id, TINY);
    expect(await archiveAll(host.user.id)).toBe(12);
    const hot = await rows<{ id: string }>(host.user.id, "SELECT id FROM messages WHERE chat = ? ORDER BY id", chat);
    expect(hot.length).toBeLessThanOrEqual(3);
    expect(hot.map((r) => r.id)).toEqual(ids.slice(ids.length - hot.length));
    const keys = await keysOf(host.user.id);
    const first = await pageRows(keys[0] ?? "");
    // The hosted rows carry their position and guest seq; the other chat's rows are as they were.
    const mine = first.filter((r) => r.chat === chat);
    expect(mine.map((r) => [r.pos, r.guest_seq])).toEqual(range(1, mine.length).map((p) => [p, 100 + p]));
    const others = first.filter((r) => r.chat !== chat);
    expect(others.length).toBeGreaterThan(0);
    expect(others.some((r) => "pos" in r || "guest_seq" in r || "hidden" in r)).toBe(false);
    expect(first.some((r) => "hidden" in r)).toBe(false);

    // The guest's reads answer what they answered with every row in SQLite; the reaction's message is archived.
    const after = await guestView(stub, g, last);
    expect(after).toEqual(before);
    const reaction = after.whole[5];
    expect(reaction?.change?.pos).toBe(3);
    expect(reaction?.message.id).toBe(ids[2]);
    expect(after.whole.filter((e) => !e.change).map((e) => e.id)).toEqual(ids);
    // Anywhere in the chat, a range answers exactly its positions.
    for (const [from, to] of [
      [1, 1],
      [7, 7],
      [14, 22],
      [29, 33],
      [40, 60],
      [1, 49],
    ] as const) {
      const got = value(await stub.hostedEntries(g, from, to));
      expect(got).toEqual(before.whole.slice(from - 1, to));
      expect(got.map((e) => e.pos)).toEqual(range(from, Math.min(to, last)));
    }
    // The host's own history is what it was.
    expect(await historyPages(host.token, chat, 10)).toEqual(hostHistory);

    // Bytes: the pages as written, and the same rows without positions (the format before).
    let now = 0;
    let without = 0;
    let n = 0;
    for (const key of keys) {
      const hosted = (await pageRows(key)).filter((r) => r.chat === chat);
      now += (await encodePage({ first: 0, last: 0 }, hosted)).bytes.length;
      const stripped = hosted.map(({ pos: _p, guest_seq: _g, ...rest }) => rest);
      without += (await encodePage({ first: 0, last: 0 }, stripped)).bytes.length;
      n += stripped.length;
    }
    // And the same rows as one page of 30 (pages are 500 by default: the keys' names compress away).
    const all = (await Promise.all(keys.map(pageRows))).flat().filter((r) => r.chat === chat);
    const whole = (await encodePage({ first: 0, last: 0 }, all)).bytes.length;
    const strippedAll = all.map(({ pos: _p, guest_seq: _g, ...rest }) => rest);
    const wholeWithout = (await encodePage({ first: 0, last: 0 }, strippedAll)).bytes.length;
    console.log(
      `hosted archive bytes: ${n} rows in ${keys.length} pages of 5; ${(now / n).toFixed(1)} B per row with pos and guest_seq, ${(without / n).toFixed(1)} B without; in one page of ${n}: ${(whole / n).toFixed(1)} B, ${(wholeWithout / n).toFixed(1)} B without`,
    );
    await clearAlarms([], [host.user.id]);
  });

  it("a page written before positions still reads: the host's history shows it, the guest's log leaves it out", async () => {
    const { host, g, chat, stub, ids } = await hostedChat(12);
    const hostHistory = await historyPages(host.token, chat);
    await configureArchive(host.user.id, TINY);
    expect(await archiveAll(host.user.id)).toBe(2);
    const [old = ""] = await keysOf(host.user.id);
    await asOldPage(host.user.id, old);
    expect((await pageRows(old)).some((r) => "pos" in r || "guest_seq" in r)).toBe(false);
    expect(await historyPages(host.token, chat)).toEqual(hostHistory);
    // Its rows read as having no position: not entries (as a copy delivered the old way is not).
    const pulled = await stub.hostedPull(g, "", 1000);
    expect(pulled.ok && pulled.value.entries.filter((e) => !e.change).map((e) => e.id)).toEqual(ids.slice(5));
    expect(await stub.hostedMessage(g, ids[0] ?? "")).toEqual({ ok: true, value: null });
    expect((await stub.hostedMessage(g, ids[6] ?? "")).ok).toBe(true);
    const history = await stub.hostedHistory(g, undefined, 100);
    expect(history.ok && history.value.map((e) => e.id)).toEqual(ids.slice(5));
    await clearAlarms([], [host.user.id]);
  });
});
