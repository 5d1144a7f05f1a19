// Live group entries in batches (./live-batches.ts): when a group's push
// brings a member several entries, a device whose last `sync` asked for
// batches gets them as one `replay` frame, in order; a device that did not
// ask gets a `message` frame each, as the contract says. A later sync
// without `batch` turns it off again.

import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { ServerFrame } from "../../shared/protocol";
import { clearAlarms, groupStub, settle, team } from "../../test/groups";
import { connect, type TestSocket, userStub } from "../../test/helpers";
import type { GroupObject } from "../group-object";

let sends = 0;
async function send(socket: TestSocket, chat: string, text: string): Promise<string> {
  const clientId = `lb${++sends}`;
  socket.send({ type: "send", clientId, chat, text });
  return (await socket.next("sent", (f) => f.clientId === clientId)).id;
}

async function sync(socket: TestSocket, batch: boolean): Promise<void> {
  const before = socket.of("synced").length;
  socket.send({ type: "sync", after: 0, batch });
  await socket.until((s) => s.of("synced").length > before);
}

/** Holds the group's pushes to `member` until the answer's release() is called. */
async function holdPushes(groupId: string, member: string): Promise<() => void> {
  let release = () => {};
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  await runInDurableObject(groupStub(groupId), (object: GroupObject) => {
    const fanout = object.fanout;
    if (!fanout) throw new Error("no fan-out");
    const real = fanout.deliver;
    fanout.deliver = async (target, entries, after) => {
      if (target === member) await gate;
      return real(target, entries, after);
    };
  });
  return release;
}

/** Ids of the group messages a socket got live, and how: a `message` frame each, or inside `replay` frames. */
function arrivals(socket: TestSocket, ids: string[]): { single: string[]; batched: string[][] } {
  const mine = (f: ServerFrame) => f.type === "message" && ids.includes(f.message.id);
  const idOf = (f: ServerFrame) => (f.type === "message" ? f.message.id : "");
  return {
    single: socket.of("message").filter(mine).map(idOf),
    // The sync's own replay frames hold none of them.
    batched: socket
      .of("replay")
      .map((r) => r.frames.filter(mine).map(idOf))
      .filter((got) => got.length > 0),
  };
}

describe("live group entries in batches", { timeout: 60_000 }, () => {
  it("come as one replay frame to a device that asked for batches, a message frame each to one that did not", async () => {
    const { admin, rest, group, chat } = await team(2);
    const bob = rest[0] as (typeof rest)[0];
    const a = await connect(admin.token);
    const [batching, plain] = [await connect(bob.token), await connect(bob.token)];
    await sync(batching, true);
    await sync(plain, false);
    await settle(group.id);
    const release = await holdPushes(group.id, bob.user.id);
    // The first push waits with one message; the two after it are owed together.
    const ids = [await send(a, chat, "one"), await send(a, chat, "two"), await send(a, chat, "three")];
    release();
    await plain.until((s) => arrivals(s, ids).single.length === 3);
    await batching.until((s) => [arrivals(s, ids).single, ...arrivals(s, ids).batched].flat().length === 3);

    expect(arrivals(plain, ids)).toEqual({ single: ids, batched: [] });
    expect(arrivals(batching, ids)).toEqual({ single: [ids[0]], batched: [[ids[1], ids[2]]] });
    // The replay frame holds each message as its own frame would, seqs in order.
    const replay = batching.of("replay").at(-1);
    const seqs = (replay?.frames ?? []).map((f) => (f.type === "message" ? f.message.seq : 0));
    expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
    expect(new Set(seqs).size).toBe(2);

    // The choice is kept with the socket (it outlives hibernation), and a sync without `batch` undoes it.
    const kept = () =>
      runInDurableObject(userStub(bob.user.id), (_, state) =>
        state.getWebSockets().map((ws) => (ws.deserializeAttachment() as { batch?: true }).batch === true),
      );
    expect((await kept()).sort()).toEqual([false, true]);
    await sync(batching, false);
    expect(await kept()).toEqual([false, false]);
    for (const s of [a, batching, plain]) s.close();
    await settle(group.id);
    await clearAlarms([group.id], [admin.user.id, bob.user.id]);
  });
});
