import { describe, expect, it } from "vitest";
import { OutgoingQueue, type QueuedSend } from "./outgoing-queue";

const item = (n: number): QueuedSend => ({
  clientId: `c${n}`,
  chat: "u:0123456789abcdef",
  text: `t${n}`,
  createdAt: n,
});

describe("OutgoingQueue", () => {
  it("writes each item once per socket, again on the next socket, with the same clientId", () => {
    const queue = new OutgoingQueue();
    queue.add(item(1));
    queue.add(item(2));
    expect(queue.takeUnwritten(1).map((i) => i.clientId)).toEqual(["c1", "c2"]);
    expect(queue.takeUnwritten(1)).toEqual([]);
    queue.remove("c1");
    expect(queue.takeUnwritten(2)).toEqual([item(2)]);
  });

  it("writes a retried item again on the same socket, and slices long queues in order", () => {
    const queue = new OutgoingQueue();
    for (let n = 1; n <= 5; n++) queue.add(item(n));
    expect(queue.takeUnwritten(1, 2).map((i) => i.clientId)).toEqual(["c1", "c2"]);
    queue.retry("c1");
    expect(queue.takeUnwritten(1, 2).map((i) => i.clientId)).toEqual(["c1", "c3"]);
  });

  it("keeps its items in the store across instances", () => {
    let saved: QueuedSend[] = [];
    const store = { load: () => saved, save: (items: QueuedSend[]) => (saved = [...items]) };
    const first = new OutgoingQueue(store);
    first.add(item(1));
    first.add(item(2));
    first.remove("c1");
    expect(new OutgoingQueue(store).list()).toEqual([item(2)]);
  });
});
