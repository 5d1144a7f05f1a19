// Message actions on a server of their own (not the shared `wrangler dev`):
// the edit and delete windows, on a server with short ones; an edit made while
// the recipient is away and the server is SIGKILLed arrives after the message,
// once. The rest: ./actions.test.ts.

import { afterAll, describe, expect, it } from "vitest";
import { act } from "../support/act";
import { historyWhen, replayOf, send } from "../support/message-actions";
import { RawSocket, registerUser } from "../support/raw-socket";
import { newStateDir, type RunningServer, startServer } from "../support/server";

describe("message actions on a server of their own", () => {
  let server: RunningServer | undefined;
  afterAll(async () => server?.stop());

  it("the windows: an edit after its window is too_late, a delete still works until its own window ends", async () => {
    server = await startServer({ vars: { EDIT_WINDOW_MS: "1000", DELETE_WINDOW_MS: "4000" } });
    const url = server.url;
    const [ann, ben] = await Promise.all([registerUser(url, "ann"), registerUser(url, "ben")]);
    const a = await RawSocket.open(url, ann.token);
    const old = await send(a, `u:${ben.user.id}`, "first", "m1");
    const older = await send(a, `u:${ben.user.id}`, "second", "m2");
    await new Promise((r) => setTimeout(r, 1500));
    expect(await act(a, { type: "edit", clientId: "e1", id: old.id, text: "late" })).toMatchObject({
      code: "too_late",
    });
    expect(await act(a, { type: "delete", clientId: "d1", id: old.id, for: "everyone" })).toMatchObject({
      type: "update",
    });
    await new Promise((r) => setTimeout(r, 3000));
    expect(await act(a, { type: "delete", clientId: "d2", id: older.id, for: "everyone" })).toMatchObject({
      code: "too_late",
    });
    expect((await historyWhen(url, ben, `u:${ann.user.id}`, (m) => m.length === 2)).map((m) => m.text)).toEqual([
      "",
      "second",
    ]);
    a.close();
    await server.stop();
    server = undefined;
  }, 120_000);

  it("an edit made while the recipient is away, then a SIGKILL: the recipient syncs the message then the edit, once", async () => {
    const state = newStateDir();
    server = await startServer({ persistTo: state });
    const [ann, ben] = await Promise.all([registerUser(server.url, "ann"), registerUser(server.url, "ben")]);
    const a = await RawSocket.open(server.url, ann.token);
    const sent = await send(a, `u:${ben.user.id}`, "before", "m1");
    await act(a, { type: "edit", clientId: "e1", id: sent.id, text: "after" });
    await server.kill();
    server = await startServer({ persistTo: state, port: server.port, migrate: false });
    const url = server.url;
    // The client retries the edit after the crash: same answer, no second change.
    const again = await RawSocket.open(url, ann.token);
    expect(await act(again, { type: "edit", clientId: "e1", id: sent.id, text: "after" })).toMatchObject({
      type: "update",
    });
    await historyWhen(url, ben, `u:${ann.user.id}`, (m) => m[0]?.text === "after");
    expect(await replayOf(url, ben, sent.id)).toEqual([
      ["message", "after"],
      ["update", "after"],
    ]);
    again.close();
  }, 240_000);
});
