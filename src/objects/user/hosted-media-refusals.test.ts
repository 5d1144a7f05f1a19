// A guest's media send or forward to its host refused or failed
// (./hosted-send.ts, ./media-send.ts): each code, and the state after it on
// both objects and at the uploader's (its grants). Nothing is stored at
// either side; a grant made for a refused send goes again; one made for a send
// whose outcome is unknown (`unavailable`) stays, and its retry counts once.
// A host that blocked the guest refuses nothing (docs/protocol.md, "Blocking"):
// its two tests here check the send stored hidden, as ./hosted-block.test.ts.

import { evictDurableObject } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { clearAlarms } from "../../test/groups";
import { connect, register, userStub } from "../../test/helpers";
import { guestMessage, guestRuns, hostAndGuest, hostedDevices, hostedSendOn } from "../../test/hosted";
import { hostFails } from "../../test/hosted-faults";
import { grantsOf, mediaMessageRows, mediaOf, photoWhileHostFails } from "../../test/hosted-media";
import { PNG } from "../../test/images";
import { fetchMedia, mediaRows, storedMedia, uploaded } from "../../test/media";

afterEach(() => {
  vi.restoreAllMocks();
});

describe("the guest's media to its host, refused", () => {
  it.each([
    ["unknown media (no such upload)", "unknown_media"],
    ["another user's media, never in a chat of the guest's", "unknown_media"],
    ["media that says another size than uploaded", "invalid_media"],
  ])("%s: %s, nothing stored on either side, no grant", async (label, code) => {
    const { host, guest, chat, g1, end } = await hostedDevices();
    const carol = await register();
    const mine = await uploaded(guest.token, "photo", PNG);
    const theirs = await uploaded(carol.token, "photo", PNG);
    const last = mine.id.at(-1) === "a" ? "b" : "a";
    const media = label.startsWith("unknown")
      ? mediaOf(mine, { id: `${mine.id.slice(0, -1)}${last}` })
      : label.startsWith("another user")
        ? mediaOf(theirs)
        : mediaOf(mine, { size: mine.size + 1 });
    g1.send({ type: "send", clientId: "r1", chat, text: "hi", media });
    expect(await g1.next("error", (f) => f.clientId === "r1")).toMatchObject({ code });
    expect(await mediaMessageRows(host.user.id)).toEqual([]);
    expect(await mediaMessageRows(guest.user.id)).toEqual([]);
    expect(await guestRuns(guest.user.id)).toEqual([]);
    expect(await grantsOf(guest.user.id)).toEqual([]);
    expect(await grantsOf(carol.user.id)).toEqual([]);
    expect((await fetchMedia(host.token, theirs.id)).status).toBe(404);
    await end();
    await clearAlarms([], [carol.user.id]);
  });

  it("a host that blocked the guest: `sent` as always, stored hidden at the host, the grant kept", async () => {
    const { host, guest, chat, g1, g2, h, end } = await hostedDevices();
    const photo = await uploaded(guest.token, "photo", PNG);
    expect((await userStub(host.user.id).block(guest.user.id)).ok).toBe(true);
    g1.send({ type: "send", clientId: "b1", chat, media: mediaOf(photo) });
    const sent = await g1.next("sent", (f) => f.clientId === "b1");
    expect((await g2.next("message", (f) => f.message.id === sent.id)).message.media?.id).toBe(photo.id);
    expect((await mediaMessageRows(host.user.id)).map((r) => [r.id, r.pos])).toEqual([[sent.id, 1]]);
    expect(await mediaMessageRows(guest.user.id)).toEqual([]);
    expect((await guestRuns(guest.user.id)).map((r) => r.upto_pos)).toEqual([1]);
    expect(await mediaRows(guest.user.id)).toEqual({ media: 1, grants: 1 });
    expect((await fetchMedia(guest.token, photo.id)).status).toBe(200);
    // Nothing of it at the host's: its device, its history.
    h.send("ping");
    await h.until((s) => s.frames.includes("pong"));
    expect(h.of("message")).toEqual([]);
    expect(await userStub(host.user.id).history(`u:${guest.user.id}`, undefined, 50)).toEqual([]);
    await end();
  });

  it("a forward while the host blocks the guest: `sent`, stored hidden, granted as any forward", async () => {
    const { host, guest, chat, g1, h, end } = await hostedDevices();
    const carol = await register();
    const photo = await uploaded(carol.token, "photo", PNG);
    const c = await connect(carol.token);
    await c.speak();
    c.send({ type: "send", clientId: "c1", chat: `u:${guest.user.id}`, media: mediaOf(photo) });
    const original = await c.next("sent", (f) => f.clientId === "c1");
    await g1.next("message", (f) => f.message.id === original.id);
    expect((await userStub(host.user.id).block(guest.user.id)).ok).toBe(true);
    g1.send({ type: "send", clientId: "fw", chat, forward: { chat: `u:${carol.user.id}`, id: original.id } });
    const sent = await g1.next("sent", (f) => f.clientId === "fw");
    const atHost = await mediaMessageRows(host.user.id);
    expect(atHost.map((r) => [r.id, r.pos, r.forwarded])).toEqual([[sent.id, 1, 1]]);
    expect((await mediaMessageRows(guest.user.id)).map((r) => r.id)).toEqual([original.id]);
    expect((await guestRuns(guest.user.id)).map((r) => r.upto_pos)).toEqual([1]);
    const pairOf = (a: string, b: string) => (a < b ? `p:${a}:${b}` : `p:${b}:${a}`);
    expect((await grantsOf(carol.user.id)).map((g) => [g.chat, g.refs])).toEqual(
      [
        [pairOf(guest.user.id, carol.user.id), 1],
        [pairOf(host.user.id, guest.user.id), 1],
      ].sort((x, y) => (String(x[0]) < String(y[0]) ? -1 : 1)),
    );
    h.send("ping");
    await h.until((s) => s.frames.includes("pong"));
    expect(h.of("message")).toEqual([]);
    expect(await userStub(host.user.id).history(`u:${guest.user.id}`, undefined, 50)).toEqual([]);
    // A forward of a message the guest cannot see: unknown_message before anything is asked.
    const other = `${original.id.slice(0, -1)}${original.id.at(-1) === "a" ? "b" : "a"}`;
    g1.send({ type: "send", clientId: "fw2", chat, forward: { chat: `u:${carol.user.id}`, id: other } });
    expect(await g1.next("error", (f) => f.clientId === "fw2")).toMatchObject({ code: "unknown_message" });
    expect(await mediaMessageRows(host.user.id)).toEqual(atHost);
    c.close();
    await end();
    await clearAlarms([], [carol.user.id]);
  });

  it("a guest that blocked its host: blocked, the host never asked, the grant withdrawn", async () => {
    const { host, guest, chat, g1, end } = await hostedDevices();
    const photo = await uploaded(guest.token, "photo", PNG);
    expect((await userStub(guest.user.id).block(host.user.id)).ok).toBe(true);
    g1.send({ type: "send", clientId: "b2", chat, media: mediaOf(photo) });
    expect(await g1.next("error", (f) => f.clientId === "b2")).toMatchObject({ code: "blocked" });
    expect(await mediaMessageRows(host.user.id)).toEqual([]);
    expect(await guestRuns(guest.user.id)).toEqual([]);
    expect(await mediaRows(guest.user.id)).toEqual({ media: 1, grants: 0 });
    await end();
  });
});

describe("a forward's hops at the host (appendFromGuest)", () => {
  it("kept as given from 1; 0 or a fraction is invalid_field, nothing stored", async () => {
    const { host, guest, stub } = await hostAndGuest();
    for (const bad of [0, 1.5]) {
      const answer = await stub.appendFromGuest(guest.user.id, guestMessage(`bad${bad}`, 1, { forwarded: bad }));
      expect(answer.ok ? null : answer.error.code).toBe("invalid_field");
    }
    expect(await mediaMessageRows(host.user.id)).toEqual([]);
    const answer = await stub.appendFromGuest(guest.user.id, guestMessage("ok", 1, { forwarded: 7 }));
    expect(answer.ok).toBe(true);
    expect((await mediaMessageRows(host.user.id)).map((r) => r.forwarded)).toEqual([7]);
    await clearAlarms([], [host.user.id]);
  });
});

describe("the guest's media to its host, failed", () => {
  it("a host that cannot be reached: unavailable, nothing stored, the grant kept; the retry stored once, one reference", async () => {
    const devices = await hostedDevices();
    const { host, guest, chat, g1, end } = devices;
    vi.spyOn(console, "warn").mockImplementation(() => undefined);
    const { photo, answer, restore } = await photoWhileHostFails(devices, "u1", false);
    expect(answer).toMatchObject({ code: "unavailable" });
    expect(await mediaMessageRows(host.user.id)).toEqual([]);
    expect(await mediaMessageRows(guest.user.id)).toEqual([]);
    expect(await guestRuns(guest.user.id)).toEqual([]);
    // The outcome is unknown to the guest (the host may have stored it): the grant stays for the retry.
    expect((await grantsOf(guest.user.id)).map((g) => g.refs)).toEqual([1]);
    await restore();
    g1.send({ type: "send", clientId: "u1", chat, media: mediaOf(photo) });
    const sent = await g1.next("sent", (f) => f.clientId === "u1");
    expect((await mediaMessageRows(host.user.id)).map((r) => r.id)).toEqual([sent.id]);
    await expect.poll(async () => (await grantsOf(guest.user.id)).map((g) => g.refs)).toEqual([1]);
    expect((await fetchMedia(host.token, photo.id)).status).toBe(200);
    await end();
  });

  it("an answer lost after the host stored: the retry answers the stored message, once, one reference", async () => {
    const { host, guest, chat, g1, g2, end } = await hostedDevices();
    vi.spyOn(console, "warn").mockImplementation(() => undefined);
    const photo = await uploaded(guest.token, "photo", PNG);
    const restore = await hostFails(guest.user.id, host.user.id, "appendFromGuest", true);
    g1.send({ type: "send", clientId: "l1", chat, text: "lost", media: mediaOf(photo) });
    expect(await g1.next("error", (f) => f.clientId === "l1")).toMatchObject({ code: "unavailable" });
    const stored = await mediaMessageRows(host.user.id);
    expect(stored).toHaveLength(1);
    expect(await guestRuns(guest.user.id)).toEqual([]);
    await restore();
    g1.send({ type: "send", clientId: "l1", chat, text: "lost", media: mediaOf(photo) });
    const sent = await g1.next("sent", (f) => f.clientId === "l1");
    expect(sent.id).toBe(stored[0]?.id);
    expect((await g2.next("message", (f) => f.message.id === sent.id)).message.media?.id).toBe(photo.id);
    expect(await mediaMessageRows(host.user.id)).toHaveLength(1);
    await expect.poll(async () => (await grantsOf(guest.user.id)).map((g) => g.refs)).toEqual([1]);
    await end();
  });

  it("the guest's object dies after the host stored and before its answer: the retry answers once; one grant (keyed by the send)", async () => {
    const devices = await hostedDevices();
    const { host, guest, chat, g1, end } = devices;
    vi.spyOn(console, "warn").mockImplementation(() => undefined);
    const { photo, answer } = await photoWhileHostFails(devices, "k1", true);
    expect(answer).toMatchObject({ code: "unavailable" });
    g1.close();
    // The grant is keyed by the send (sender and clientId), not remembered in memory: the retry's counts once.
    await evictDurableObject(userStub(guest.user.id));
    await hostedSendOn(guest.user.id);
    const again = await connect(guest.token);
    await again.speak();
    again.send({ type: "send", clientId: "k1", chat, media: mediaOf(photo) });
    const sent = await again.next("sent", (f) => f.clientId === "k1");
    expect((await mediaMessageRows(host.user.id)).map((r) => r.id)).toEqual([sent.id]);
    expect((await guestRuns(guest.user.id)).map((r) => r.run_count)).toEqual([1]);
    expect((await grantsOf(guest.user.id)).map((g) => g.refs)).toEqual([1]);
    expect((await fetchMedia(host.token, photo.id)).status).toBe(200);
    // One reference: the message's delete for everyone takes the bytes.
    again.send({ type: "delete", clientId: "d1", id: sent.id, for: "everyone" });
    await again.next("update", (f) => f.message.id === sent.id);
    await expect.poll(() => storedMedia(guest.user.id)).toEqual([]);
    expect(await mediaRows(guest.user.id)).toEqual({ media: 0, grants: 0 });
    expect((await fetchMedia(host.token, photo.id)).status).toBe(404);
    again.close();
    await end();
  });
});
