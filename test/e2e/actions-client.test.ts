// Message actions through the client module (src/client) against `wrangler
// dev`: a Connection emits update and removed live and after a replay; its
// send with replyTo, edit and deleteMessage are answered, retried across a
// dropped socket, and refusals rejected with their code. Over raw sockets:
// ./actions.test.ts.

import { describe, expect, inject, it } from "vitest";
import { act } from "../support/act";
import { ClientUser } from "../support/client-user";
import { send } from "../support/message-actions";
import { RawSocket } from "../support/raw-socket";
import { waitFor } from "../support/wait";

const base = inject("baseUrl");

describe("message actions through the client module", () => {
  it("a Connection emits update and removed live, and after a replay in seq order after the messages", async () => {
    const ann = await ClientUser.register(base, "cann");
    const ben = await ClientUser.register(base, "cben");
    const a = ann.connect();
    const b = ben.connect();
    await waitFor(() => a.state === "live" && b.state === "live", "both live");
    const sent = await a.sendAndWait(`u:${ben.user.id}`, "first draft");
    await waitFor(() => ben.messages.find((m) => m.id === sent.id), "ben gets it");
    const raw = await RawSocket.open(base, ann.token);
    await act(raw, { type: "edit", clientId: "e1", id: sent.id, text: "second draft" });
    const live = await waitFor(() => ben.of("update").find((f) => f.message.id === sent.id), "the live update");
    expect(live.message.text).toBe("second draft");
    expect(b.cursor).toBe(live.seq);
    b.close();

    // Away: a delete for everyone and a new message; a new Connection from cursor 0 replays all of it.
    await act(raw, { type: "delete", clientId: "d1", id: sent.id, for: "everyone" });
    const later = await send(raw, `u:${ben.user.id}`, "after the delete", "m2");
    const fresh = ben.connect();
    await waitFor(() => fresh.state === "live" && ben.messages.some((m) => m.id === later.id), "the replay");
    const updates = ben.of("update").filter((f) => f.message.id === sent.id);
    expect(updates.at(-1)?.message).toMatchObject({ text: "", deletedBy: ann.user.id });
    expect(updates.map((f) => f.seq)).toEqual([...updates.map((f) => f.seq)].sort((x, y) => x - y));
    // Ann deletes one for herself on another device: her Connection hears it.
    await act(raw, { type: "delete", clientId: "d2", id: later.id, for: "me" });
    const removed = await waitFor(() => ann.of("removed").find((f) => f.id === later.id), "the removal");
    expect(removed).toMatchObject({ chat: `u:${ben.user.id}`, clientId: "d2" });
    raw.close();
    fresh.close();
    a.close();
  });
  it("Connection.send with replyTo, edit and deleteMessage: answered, retried across a dropped socket, refusals rejected with their code", async () => {
    const ann = await ClientUser.register(base, "kann");
    const ben = await ClientUser.register(base, "kben");
    const a = ann.connect();
    const b = ben.connect();
    await waitFor(() => a.state === "live" && b.state === "live", "both live");
    const chat = `u:${ben.user.id}` as const;
    const first = await a.sendAndWait(chat, "question");
    const reply = await b.sendAndWait(`u:${ann.user.id}`, "answer", undefined, first.id);
    const quoted = await waitFor(() => ann.messages.find((m) => m.id === reply.id), "ann gets the reply");
    expect(quoted.replyTo).toEqual({ id: first.id, from: ann.user.id, excerpt: "question" });

    // An edit written while the socket is down goes out on the next one, and resolves once.
    a.drop("test");
    const edited = a.edit(first.id, "question, edited");
    await edited;
    await waitFor(() => ben.of("update").find((f) => f.message.id === first.id), "ben gets the edit");
    expect(ben.of("update").filter((f) => f.message.id === first.id)).toHaveLength(1);

    // Refusals reject with the server's code, and change nothing.
    await expect(a.edit(reply.id, "not mine")).rejects.toMatchObject({ code: "not_your_message" });
    await a.deleteMessage(first.id, "everyone");
    await expect(a.edit(first.id, "too late now")).rejects.toMatchObject({ code: "message_deleted" });
    const history = await ann.api.history(chat);
    expect(history.find((m) => m.id === first.id)).toMatchObject({ text: "", deletedBy: ann.user.id });
    expect(history.find((m) => m.id === reply.id)?.text).toBe("answer");
    await b.deleteMessage(reply.id, "me");
    expect((await ben.api.history(`u:${ann.user.id}`)).some((m) => m.id === reply.id)).toBe(false);
    a.close();
    b.close();
  });
});
