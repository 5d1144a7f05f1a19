// A guest's media and forwards in a chat its peer hosts (./hosted-send.ts,
// docs/one-copy-per-chat.md "The guest's send, as built"), behind
// HOSTED_GUEST_SEND: the media granted to the chat before the host stores the
// one copy, a forward's hops kept, a retry answered the same with one grant,
// and a delete for everyone releasing the media as a `delete` frame does.

import { describe, expect, it } from "vitest";
import { clearAlarms } from "../../test/groups";
import { connect, register, userStub } from "../../test/helpers";
import { guestRuns, hostedDevices } from "../../test/hosted";
import { grantsOf, mediaMessageRows, mediaOf } from "../../test/hosted-media";
import { PNG } from "../../test/images";
import { binary, fetchMedia, mediaRows, storedMedia, uploaded } from "../../test/media";

describe("the guest's media in a hosted chat, switched on", () => {
  it("a photo: stored once at the host, on every device, fetched by both; a retry answers the same, one grant", async () => {
    const { host, guest, chat, g1, g2, h, end } = await hostedDevices();
    const outsider = await register();
    const photo = await uploaded(guest.token, "photo", PNG);
    const media = mediaOf(photo, { width: 2, height: 2, preview: "data:image/png;base64,AAAA" });
    g1.send({ type: "send", clientId: "p1", chat, text: "look", media });
    const sent = await g1.next("sent", (f) => f.clientId === "p1");
    const shown = { ...photo, width: 2, height: 2, preview: "data:image/png;base64,AAAA" };
    const own = await g1.next("message", (f) => f.message.id === sent.id);
    expect(own.message).toMatchObject({ chat, text: "look", media: shown, seq: sent.seq });
    expect((await g2.next("message", (f) => f.message.id === sent.id)).message.media).toEqual(shown);
    const atHost = await h.next("message", (f) => f.message.id === sent.id);
    expect(atHost.message).toMatchObject({ chat: `u:${guest.user.id}`, from: guest.user.id, media: shown });
    // The one copy is the host's, with its media; the guest has its run only.
    const rows = await mediaMessageRows(host.user.id);
    expect(rows.map((r) => [r.id, r.sender, r.pos, JSON.parse(r.media ?? "null")])).toEqual([
      [sent.id, guest.user.id, 1, shown],
    ]);
    expect(await mediaMessageRows(guest.user.id)).toEqual([]);
    expect((await guestRuns(guest.user.id)).map((r) => [r.chat, r.run_seq, r.run_count])).toEqual([
      [chat, sent.seq, 1],
    ]);
    // Granted to the chat (one key for both sides): the host fetches it, the uploader too, no one else.
    expect(await grantsOf(guest.user.id)).toEqual([
      { media: photo.id, chat: `p:${host.user.id}:${guest.user.id}`, refs: 1 },
    ]);
    expect((await fetchMedia(host.token, photo.id)).status).toBe(200);
    expect((await fetchMedia(guest.token, photo.id)).status).toBe(200);
    expect((await fetchMedia(outsider.token, photo.id)).status).toBe(404);
    // A retry: the same answer, nothing stored, and the grant it made goes again (one message, one reference).
    g1.send({ type: "send", clientId: "p1", chat, text: "look", media });
    await g1.until((s) => s.of("sent").filter((f) => f.clientId === "p1").length === 2);
    expect(g1.of("sent").filter((f) => f.clientId === "p1")[1]).toMatchObject({ id: sent.id, seq: sent.seq });
    expect(await mediaMessageRows(host.user.id)).toHaveLength(1);
    await expect
      .poll(() => grantsOf(guest.user.id))
      .toEqual([{ media: photo.id, chat: `p:${host.user.id}:${guest.user.id}`, refs: 1 }]);
    // A fresh device of the guest syncs it once, with its media.
    const fresh = await connect(guest.token);
    await fresh.speak();
    const replayed = fresh.of("message").filter((f) => f.message.chat === chat);
    expect(replayed.map((f) => [f.message.id, f.message.seq, f.message.media?.id])).toEqual([
      [sent.id, sent.seq, photo.id],
    ]);
    await end(fresh);
  });

  it("a file without caption, the host's media forwarded back: both go to the host; the forward's hops kept", async () => {
    const { host, guest, chat, g1, h, end } = await hostedDevices();
    const file = await uploaded(guest.token, "file", binary(300));
    g1.send({ type: "send", clientId: "f1", chat, media: mediaOf(file, { name: "notes.pdf" }) });
    const sent = await g1.next("sent", (f) => f.clientId === "f1");
    // The host's own photo reaches the guest as an entry of the log (./hosted-push.ts); the guest forwards it into the chat.
    const photo = await uploaded(host.token, "photo", PNG);
    h.send({ type: "send", clientId: "h1", chat: `u:${guest.user.id}`, text: "mine", media: mediaOf(photo) });
    const hostSent = await h.next("sent", (f) => f.clientId === "h1");
    await g1.next("message", (f) => f.message.id === hostSent.id);
    g1.send({ type: "send", clientId: "fw1", chat, forward: { chat, id: hostSent.id } });
    const forwarded = await g1.next("sent", (f) => f.clientId === "fw1");
    const copy = await g1.next("message", (f) => f.message.id === forwarded.id);
    expect(copy.message).toMatchObject({ text: "mine", media: photo, forwarded: 1, seq: forwarded.seq });
    const atHost = await h.next("message", (f) => f.message.id === forwarded.id);
    expect(atHost.message).toMatchObject({ from: guest.user.id, text: "mine", media: photo, forwarded: 1 });
    const rows = await mediaMessageRows(host.user.id);
    expect(rows.map((r) => [r.id, r.sender, r.forwarded])).toEqual([
      [sent.id, guest.user.id, null],
      [hostSent.id, host.user.id, null],
      [forwarded.id, guest.user.id, 1],
    ]);
    // The guest stores no row of the chat: the host's photo came as an entry, its own went to the host.
    expect(await mediaMessageRows(guest.user.id)).toEqual([]);
    // The host's upload: granted to the chat by the host's send and again by the guest's forward.
    expect(await grantsOf(host.user.id)).toEqual([
      { media: photo.id, chat: `p:${host.user.id}:${guest.user.id}`, refs: 2 },
    ]);
    expect((await fetchMedia(host.token, file.id)).status).toBe(200);
    await end();
  });

  it("a forward of a forward from another chat: hops counted from the source, the third user's media granted", async () => {
    const { host, guest, chat, g1, h, end } = await hostedDevices();
    const carol = await register();
    const photo = await uploaded(carol.token, "photo", PNG);
    const c = await connect(carol.token);
    await c.speak();
    c.send({ type: "send", clientId: "c1", chat: `u:${guest.user.id}`, text: "from carol", media: mediaOf(photo) });
    const original = await c.next("sent", (f) => f.clientId === "c1");
    // Carol forwards her own message to the guest again: the guest holds a copy with one hop.
    c.send({
      type: "send",
      clientId: "c2",
      chat: `u:${guest.user.id}`,
      forward: { chat: `u:${guest.user.id}`, id: original.id },
    });
    const once = await c.next("sent", (f) => f.clientId === "c2");
    await g1.next("message", (f) => f.message.id === once.id);
    expect((await fetchMedia(host.token, photo.id)).status).toBe(404);
    g1.send({ type: "send", clientId: "fw2", chat, forward: { chat: `u:${carol.user.id}`, id: once.id } });
    const twice = await g1.next("sent", (f) => f.clientId === "fw2");
    const atHost = await h.next("message", (f) => f.message.id === twice.id);
    expect(atHost.message).toMatchObject({ from: guest.user.id, text: "from carol", media: photo, forwarded: 2 });
    expect((await mediaMessageRows(host.user.id)).map((r) => [r.id, r.forwarded])).toEqual([[twice.id, 2]]);
    // The guest keeps carol's copies only; its forward is the host's one copy and its run.
    expect((await mediaMessageRows(guest.user.id)).map((r) => r.id)).toEqual([original.id, once.id]);
    expect((await guestRuns(guest.user.id)).map((r) => [r.chat, r.run_seq])).toEqual([[chat, twice.seq]]);
    expect((await fetchMedia(host.token, photo.id)).status).toBe(200);
    const key = (a: string, b: string) => (a < b ? `p:${a}:${b}` : `p:${b}:${a}`);
    expect(await grantsOf(carol.user.id)).toEqual(
      [
        { media: photo.id, chat: key(carol.user.id, guest.user.id), refs: 2 },
        { media: photo.id, chat: key(host.user.id, guest.user.id), refs: 1 },
      ].sort((a, b) => (a.chat < b.chat ? -1 : 1)),
    );
    c.close();
    await end();
    await clearAlarms([], [carol.user.id]);
  });

  it("the guest forwards its own hosted photo: read from the host's log, into the same chat and another", async () => {
    const { guest, chat, g1, h, end } = await hostedDevices();
    const carol = await register();
    const photo = await uploaded(guest.token, "photo", PNG);
    g1.send({ type: "send", clientId: "s1", chat, text: "mine", media: mediaOf(photo) });
    const sent = await g1.next("sent", (f) => f.clientId === "s1");
    g1.send({ type: "send", clientId: "s2", chat, forward: { chat, id: sent.id } });
    const again = await g1.next("sent", (f) => f.clientId === "s2");
    const atHost = await h.next("message", (f) => f.message.id === again.id);
    expect(atHost.message).toMatchObject({ from: guest.user.id, text: "mine", media: photo, forwarded: 1 });
    const c = await connect(carol.token);
    await c.speak();
    g1.send({ type: "send", clientId: "s3", chat: `u:${carol.user.id}`, forward: { chat, id: sent.id } });
    const out = await g1.next("sent", (f) => f.clientId === "s3");
    const atCarol = await c.next("message", (f) => f.message.id === out.id);
    expect(atCarol.message).toMatchObject({ from: guest.user.id, text: "mine", media: photo, forwarded: 1 });
    expect((await fetchMedia(carol.token, photo.id)).status).toBe(200);
    expect((await grantsOf(guest.user.id)).map((g) => g.refs).sort()).toEqual([1, 2]);
    c.close();
    await end();
    await clearAlarms([], [carol.user.id]);
  });

  it("the switch off: today's two copies, no run", async () => {
    const { host, guest, chat, g1, h, end } = await hostedDevices(false);
    const photo = await uploaded(guest.token, "photo", PNG);
    g1.send({ type: "send", clientId: "o1", chat, text: "old way", media: mediaOf(photo) });
    const sent = await g1.next("sent", (f) => f.clientId === "o1");
    await h.next("message", (f) => f.message.id === sent.id);
    expect((await mediaMessageRows(guest.user.id)).map((r) => [r.id, r.pos])).toEqual([[sent.id, null]]);
    expect((await mediaMessageRows(host.user.id)).map((r) => r.id)).toEqual([sent.id]);
    expect(await guestRuns(guest.user.id)).toEqual([]);
    expect(await mediaRows(guest.user.id)).toEqual({ media: 1, grants: 1 });
    await end();
  });
});

describe("deleting a hosted message with media for everyone", () => {
  it("the guest's delete (hostedChange) releases the media: the last reference takes the bytes; a retry releases nothing more", async () => {
    const { host, guest, chat, g1, end } = await hostedDevices();
    const photo = await uploaded(guest.token, "photo", PNG);
    const file = await uploaded(guest.token, "file", binary(200));
    const ids: string[] = [];
    for (const [clientId, media] of [
      ["d1", mediaOf(photo)],
      ["d2", mediaOf(photo)],
      ["d3", mediaOf(file)],
    ] as const) {
      g1.send({ type: "send", clientId, chat, media });
      ids.push((await g1.next("sent", (f) => f.clientId === clientId)).id);
    }
    const [first, second, third] = ids as [string, string, string];
    const stub = userStub(host.user.id);
    const pairKey = `p:${host.user.id}:${guest.user.id}`;
    expect(await grantsOf(guest.user.id)).toEqual(
      [
        { media: photo.id, chat: pairKey, refs: 2 },
        { media: file.id, chat: pairKey, refs: 1 },
      ].sort((a, b) => (a.media < b.media ? -1 : 1)),
    );
    // One of two messages referring to the photo: counted down, the bytes stay.
    expect((await stub.hostedChange(guest.user.id, "x1", { action: "delete", id: first })).ok).toBe(true);
    await expect.poll(async () => (await grantsOf(guest.user.id)).find((g) => g.media === photo.id)?.refs).toBe(1);
    expect((await fetchMedia(host.token, photo.id)).status).toBe(200);
    // A retry of that delete answers the first answer and releases nothing more: once the file's release (after
    // it) has taken its bytes, the photo still has its one reference.
    expect((await stub.hostedChange(guest.user.id, "x1", { action: "delete", id: first })).ok).toBe(true);
    expect((await stub.hostedChange(guest.user.id, "x3", { action: "delete", id: third })).ok).toBe(true);
    await expect.poll(() => storedMedia(guest.user.id)).toHaveLength(1);
    expect(await grantsOf(guest.user.id)).toEqual([{ media: photo.id, chat: pairKey, refs: 1 }]);
    expect((await fetchMedia(host.token, photo.id)).status).toBe(200);
    // The photo's last reference: its grant and bytes go.
    expect((await stub.hostedChange(guest.user.id, "x2", { action: "delete", id: second })).ok).toBe(true);
    await expect.poll(() => storedMedia(guest.user.id)).toEqual([]);
    expect(await mediaRows(guest.user.id)).toEqual({ media: 0, grants: 0 });
    expect((await fetchMedia(host.token, photo.id)).status).toBe(404);
    const rows = await mediaMessageRows(host.user.id);
    expect(rows.map((r) => r.media)).toEqual([null, null, null]);
    await end();
  });

  it("the host's delete of its own hosted message with media releases it, as today", async () => {
    const { host, guest, chat, g1, h, end } = await hostedDevices();
    // The chat is hosted from the guest's first message on; the host's next send takes a position.
    g1.send({ type: "send", clientId: "t1", chat, text: "hosting begins" });
    await g1.next("sent", (f) => f.clientId === "t1");
    const photo = await uploaded(host.token, "photo", PNG);
    h.send({ type: "send", clientId: "h1", chat: `u:${guest.user.id}`, media: mediaOf(photo) });
    const sent = await h.next("sent", (f) => f.clientId === "h1");
    expect((await mediaMessageRows(host.user.id)).find((r) => r.id === sent.id)?.pos).toBe(2);
    h.send({ type: "delete", clientId: "h2", id: sent.id, for: "everyone" });
    await h.next("update", (f) => f.message.id === sent.id);
    await expect.poll(() => storedMedia(host.user.id)).toEqual([]);
    expect(await mediaRows(host.user.id)).toEqual({ media: 0, grants: 0 });
    expect((await fetchMedia(guest.token, photo.id)).status).toBe(404);
    await end();
  });
});
