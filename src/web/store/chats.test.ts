// The page's copy of a chat under edits, deletes and late copies: a tombstone
// stays one, an older copy never brings back older text, quotes follow.

import { describe, expect, it } from "vitest";
import type { Message } from "../../shared/protocol";
import { Chats } from "./chats";

const base: Message = { id: "m1", chat: "u:bob", from: "ann", text: "noon?", ts: 1000, seq: 1 };
const reply: Message = {
  id: "m2",
  chat: "u:bob",
  from: "bob",
  text: "yes",
  ts: 2000,
  seq: 2,
  replyTo: { id: "m1", from: "ann", excerpt: "noon?" },
};

describe("Chats", () => {
  it("an edit changes the text and the quotes of it; an older copy arriving later does not undo it", () => {
    const chats = new Chats();
    chats.add(base);
    chats.add(reply);
    chats.update({ ...base, text: "one?", editedAt: 5000 });
    chats.add(base); // a history page fetched before the edit
    const [first, second] = chats.sorted("u:bob");
    expect(first).toMatchObject({ text: "one?", editedAt: 5000 });
    expect(second?.replyTo).toEqual({ id: "m1", from: "ann", excerpt: "one?" });
  });

  it("reactions follow every update: replaced, and gone when the last one is taken back", () => {
    const chats = new Chats();
    chats.add(base);
    chats.update({ ...base, reactions: [{ from: "bob", emoji: "👍" }] });
    expect(chats.sorted("u:bob")[0]?.reactions).toEqual([{ from: "bob", emoji: "👍" }]);
    chats.update({ ...base, reactions: [{ from: "bob", emoji: "❤️" }] });
    expect(chats.sorted("u:bob")[0]?.reactions).toEqual([{ from: "bob", emoji: "❤️" }]);
    chats.update(base);
    expect(chats.sorted("u:bob")[0]?.reactions).toBeUndefined();
    expect(chats.entry("u:bob").last?.reactions).toBeUndefined();
  });

  it("a delete for everyone is final, empties the quotes, and an older copy does not bring the text back", () => {
    const chats = new Chats();
    chats.add(base);
    chats.add(reply);
    chats.update({ ...base, text: "", deletedAt: 6000, deletedBy: "ann" });
    chats.add({ ...base, text: "one?", editedAt: 5000 });
    const [first, second] = chats.sorted("u:bob");
    expect(first).toMatchObject({ text: "", deletedAt: 6000 });
    expect(second?.replyTo).toEqual({ id: "m1", from: "ann", excerpt: "", deleted: true });
    expect(chats.entry("u:bob").last?.id).toBe("m2");
  });

  it("delete for me removes the message; the newest left becomes the chat's last, an empty chat leaves the list", () => {
    const chats = new Chats();
    chats.add(base);
    chats.add(reply);
    chats.remove("u:bob", "m2");
    expect(chats.entry("u:bob").last?.id).toBe("m1");
    chats.remove("u:bob", "m1");
    expect(chats.list()).toEqual([]);
    chats.remove("u:bob", "m1"); // again: nothing to do
    expect(chats.sorted("u:bob")).toEqual([]);
  });

  it("a reply's own echo adds the quote to the copy made from `sent`", () => {
    const chats = new Chats();
    chats.add({ ...reply, replyTo: undefined });
    chats.add(reply);
    expect(chats.sorted("u:bob")[0]?.replyTo?.excerpt).toBe("noon?");
  });
});
