// Races between a message and its changes, at the receiving mailbox: an edit
// that arrives before its message, an edit and a delete at once, changes
// delivered twice or out of order. Items are handed to UserObject.accept
// directly, in the order under test, as another object would hand them.

import { describe, expect, it } from "vitest";
import { nextMessageId } from "../../shared/ids";
import type { ChatId } from "../../shared/protocol";
import { act, drainAlarms, rows, sendAndWait } from "../../test/actions";
import { connect, register, userStub } from "../../test/helpers";
import type { InboxChange, InboxMessage } from "../inbox";

/** A message from `from` to the reader, and changes of it, with ids from one clock (as its sender's object makes them). */
function script(from: string) {
  let clock = { ts: 0, seq: 0 };
  const next = () => {
    const made = nextMessageId(Date.now(), clock, from);
    clock = made.clock;
    return made;
  };
  const chat: ChatId = `u:${from}`;
  const first = next();
  const message: InboxMessage = { kind: "message", id: first.id, chat, from, text: "first words", ts: first.ts };
  const edit = (text: string): InboxChange => {
    const c = next();
    return { kind: "change", cid: c.id, chat, id: message.id, from, text, editedAt: c.ts };
  };
  const remove = (): InboxChange => {
    const c = next();
    return { kind: "change", cid: c.id, chat, id: message.id, from, text: "", deletedAt: c.ts, deletedBy: from };
  };
  return { message, edit, remove, chat };
}

describe("an edit arriving before its message", () => {
  it("is held, then applied right after the message arrives: message then update, in seq order", async () => {
    const alice = await register();
    const bob = await register();
    const b = await connect(bob.token);
    const s = script(alice.user.id);
    const edit = s.edit("second words");
    await userStub(bob.user.id).accept([edit]);
    expect(await rows(bob.user.id, "SELECT target FROM held_changes")).toEqual([{ target: s.message.id }]);
    expect((await userStub(bob.user.id).stats()).messages).toBe(0);
    expect(b.of("update")).toEqual([]);

    await userStub(bob.user.id).accept([s.message]);
    const update = await b.next("update");
    const message = await b.next("message");
    expect(b.frames.filter((f) => typeof f !== "string").map((f) => f.type)).toEqual(["message", "update"]);
    expect(update.seq).toBeGreaterThan(message.message.seq);
    expect(update.message).toMatchObject({ id: s.message.id, text: "second words", editedAt: edit.editedAt });
    expect(await rows(bob.user.id, "SELECT * FROM held_changes")).toEqual([]);
    const history = await userStub(bob.user.id).history(s.chat, undefined, 10);
    expect(history.map((m) => m.text)).toEqual(["second words"]);
    b.close();
  });

  it("an edit and a delete held in either order: the delete wins when the message comes", async () => {
    const alice = await register();
    const bob = await register();
    const s = script(alice.user.id);
    const edit = s.edit("edited");
    const remove = s.remove();
    await userStub(bob.user.id).accept([remove]);
    await userStub(bob.user.id).accept([edit]);
    await userStub(bob.user.id).accept([s.message]);
    const [stored] = await userStub(bob.user.id).history(s.chat, undefined, 10);
    expect(stored).toMatchObject({ text: "", deletedAt: remove.deletedAt, deletedBy: alice.user.id });
    // Applied in change order: the edit, then the delete; nothing of the edit's text is left.
    expect(await rows(bob.user.id, "SELECT cid FROM changes ORDER BY seq")).toEqual([
      { cid: edit.cid },
      { cid: remove.cid },
    ]);
    expect(JSON.stringify(await rows(bob.user.id, "SELECT text FROM messages"))).not.toContain("edited");
  });
});

describe("changes delivered again or late", () => {
  it("the same change twice makes one mailbox entry", async () => {
    const alice = await register();
    const bob = await register();
    const s = script(alice.user.id);
    const edit = s.edit("once");
    await userStub(bob.user.id).accept([s.message, edit]);
    await userStub(bob.user.id).accept([edit]);
    await userStub(bob.user.id).accept([s.message, edit]);
    expect(await rows(bob.user.id, "SELECT kind FROM changes")).toEqual([{ kind: "update" }]);
    expect((await userStub(bob.user.id).stats()).messages).toBe(1);
  });

  it("an older edit after a newer one, or any edit after the delete, changes nothing", async () => {
    const alice = await register();
    const bob = await register();
    const s = script(alice.user.id);
    const older = s.edit("older");
    const newer = s.edit("newer");
    const remove = s.remove();
    const later = s.edit("after the delete");
    await userStub(bob.user.id).accept([s.message, newer, older]);
    expect((await userStub(bob.user.id).history(s.chat, undefined, 1))[0]?.text).toBe("newer");
    await userStub(bob.user.id).accept([remove, older, newer, later]);
    expect((await userStub(bob.user.id).history(s.chat, undefined, 1))[0]).toMatchObject({
      text: "",
      deletedAt: remove.deletedAt,
    });
    expect((await rows(bob.user.id, "SELECT cid FROM changes ORDER BY seq")).map((r) => r.cid)).toEqual([
      newer.cid,
      remove.cid,
    ]);
  });
});

describe("an edit and a delete at once", () => {
  it("from two devices of the sender: whichever runs first, the message ends deleted everywhere", async () => {
    const alice = await register();
    const bob = await register();
    const a1 = await connect(alice.token);
    const a2 = await connect(alice.token);
    const b = await connect(bob.token);
    const sent = await sendAndWait(a1, `u:${bob.user.id}`, "racing", "m1");
    await b.next("message", (f) => f.message.id === sent.id);
    a1.send({ type: "edit", clientId: "e1", id: sent.id, text: "edited in the race" });
    const deleted = await act(a2, { type: "delete", clientId: "d1", id: sent.id, for: "everyone" });
    expect(deleted.type).toBe("update");
    const edited = await act(a1, { type: "edit", clientId: "e1", id: sent.id, text: "edited in the race" });
    // Either the edit ran first (both applied, in that order) or it was refused.
    if (edited.type === "error") expect(edited.code).toBe("message_deleted");
    else expect(edited.seq).toBeLessThan((deleted as { seq: number }).seq);
    await drainAlarms(alice.user.id);
    for (const [user, chat] of [
      [alice, `u:${bob.user.id}`],
      [bob, `u:${alice.user.id}`],
    ] as const) {
      const [stored] = await userStub(user.user.id).history(chat, undefined, 10);
      expect(stored).toMatchObject({ text: "", deletedBy: alice.user.id });
    }
    // Bob's devices saw the changes in the sender's order, ending deleted.
    await b.until((s) => s.of("update").some((f) => f.message.deletedAt !== undefined));
    expect(b.of("update").at(-1)?.message.deletedAt).toBeDefined();
    for (const s of [a1, a2, b]) s.close();
  });
});
