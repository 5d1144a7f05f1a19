// offline-sync: N messages wait in a user's mailbox while their device is
// away; the device comes back (log in, open the socket, `sync` from its
// cursor) and we time until it holds all N. Each size uses a fresh pair of
// users and is repeated; the figure is the median.
//   open -> all:  the socket is opened with a token the device already has
//   login -> all: POST /api/auth/login first (one PBKDF2 verification)

import type { ChatId } from "../../src/shared/protocol";
import { Api, createDevice, type Device, live } from "../client";
import { sleep } from "../pool";
import { median, Samples } from "../stats";
import { BENCH_PASSWORD, type BenchUser } from "../users";
import { closeAll, connectAll, cursorOf } from "./devices";
import { list, type Metric, num, type Scenario, type ScenarioContext, type ScenarioResult } from "./types";

const SEND_WINDOW = 40;

export const offlineSync: Scenario = {
  name: "offline-sync",
  description: "a device comes back to N waiting messages: time until it has them all",
  defaults: { sizes: [1000, 10000], repeats: 3, size: 100 },
  smoke: { sizes: [30], repeats: 1, size: 40 },
  users: (p) => 2 * list(p, "sizes").length,
  async run(ctx): Promise<ScenarioResult> {
    const metrics: Metric[] = [];
    const latencies: ScenarioResult["latencies"] = [];
    const sizes = list(ctx.params, "sizes");
    const base = ctx.pool.users.length - 2 * sizes.length; // the last users: fresh mailboxes
    for (const [i, n] of sizes.entries()) {
      const [reader, sender] = ctx.pool.slice(base + 2 * i, 2) as [BenchUser, BenchUser];
      const result = await oneSize(ctx, reader, sender, n, num(ctx.params, "repeats"), num(ctx.params, "size"));
      const goal = n === 1000 ? { goal: { op: "<=" as const, value: 100 } } : {};
      metrics.push(
        { key: `open_${n}`, label: `${n} waiting: socket open → all`, value: result.open, unit: "ms", ...goal },
        { key: `login_${n}`, label: `${n} waiting: login → all`, value: result.login, unit: "ms" },
        {
          key: `missing_${n}`,
          label: `${n} waiting: missing after sync`,
          value: result.missing,
          unit: "msgs",
          mustBeZero: true,
        },
      );
      latencies.push({ label: `open → message, ${n} waiting`, samples: result.perMessage });
    }
    return { metrics, latencies, notes: [] };
  },
};

async function oneSize(
  ctx: ScenarioContext,
  reader: BenchUser,
  sender: BenchUser,
  n: number,
  repeats: number,
  size: number,
) {
  // The reader's device syncs once and goes away; its cursor is where it left.
  const [readerDevice] = await connectAll(ctx.target.url, [reader], ctx.progress, ctx.label);
  closeAll([reader], [readerDevice as Device]);
  const cursor = cursorOf(reader);

  const [senderDevice] = (await connectAll(ctx.target.url, [sender], ctx.progress, ctx.label)) as [Device];
  const tag = `${Date.now().toString(36)}`;
  const pad = "x".repeat(Math.max(0, size - 20));
  let answered = 0;
  let written = 0;
  let lastId = "";
  senderDevice.on("sent", (f) => {
    answered++;
    lastId = f.id > lastId ? f.id : lastId;
  });
  while (answered < n) {
    while (written < n && written - answered < SEND_WINDOW) {
      senderDevice.send(`u:${reader.id}` as ChatId, `${tag}#${written++}#${pad}`);
    }
    ctx.progress.update(`${ctx.label}: ${n} waiting: sent ${answered}/${n}`);
    await sleep(2);
  }
  closeAll([sender], [senderDevice]);

  // Until the messages are in the reader's mailbox (the sender's outbox delivers them).
  const readerApi = new Api({ baseUrl: ctx.target.url, token: reader.token });
  for (;;) {
    const [last] = await readerApi.history(`u:${sender.id}` as ChatId, { limit: 1 });
    if (last?.id === lastId) break;
    ctx.progress.update(`${ctx.label}: ${n} waiting: until stored in the reader's mailbox`);
    await sleep(50);
  }

  const opens: number[] = [];
  const logins: number[] = [];
  const perMessage = new Samples();
  let missing = 0;
  await ctx.measured.start();
  for (let r = 0; r < repeats; r++) {
    ctx.progress.update(`${ctx.label}: ${n} waiting: sync ${r + 1}/${repeats}`);
    const tLogin = performance.now();
    const { token } = await new Api({ baseUrl: ctx.target.url }).login(reader.username, BENCH_PASSWORD);
    const tOpen = performance.now();
    const device = createDevice({ baseUrl: ctx.target.url, token, userId: reader.id, cursor });
    const got = new Set<string>();
    device.on("message", (m) => {
      if (m.from !== sender.id || !m.text.startsWith(`${tag}#`) || got.has(m.text)) return;
      got.add(m.text);
      perMessage.add(performance.now() - tOpen);
    });
    await live(device);
    const tAll = performance.now();
    device.close();
    // Log that session out again: a user keeps at most 5, and a sixth login would
    // revoke the oldest, the pool's own token, which later scenarios still use.
    // (The floor relay keeps no sessions and has no logout.)
    if (ctx.target.name === "server") await new Api({ baseUrl: ctx.target.url, token }).logout();
    missing = Math.max(missing, n - got.size);
    opens.push(tAll - tOpen);
    logins.push(tAll - tLogin);
  }
  await ctx.measured.stop();
  return { open: median(opens), login: median(logins), missing, perMessage };
}
