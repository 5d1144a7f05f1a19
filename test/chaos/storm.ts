// The chaos run: a send storm among many users (and groups, when given),
// the local runtime killed with SIGKILL at random moments and restarted on
// the same state, then an audit of every mailbox. Clients are the project's
// client module, which retries unacknowledged sends with the same clientId.

import { Api, Connection } from "@edge-chat/client";
import type { ChatId, Message } from "../../src/shared/protocol";
import { RawSocket } from "../support/raw-socket";
import { newStateDir, type RunningServer, startServer } from "../support/server";

export interface StormOptions {
  users: number;
  /** Messages each user sends, to random peers. */
  perUser: number;
  kills: number;
  /** Groups, each of `groupSize` random users; a third of each user's sends go to its groups. */
  groups?: number;
  groupSize?: number;
  /** Pause between sends of one user (ms). */
  gapMs: number;
  seed?: number;
}

export interface StormReport {
  sent: number;
  acknowledged: number;
  lost: number;
  duplicated: number;
  kills: number;
  problems: string[];
}

interface Member {
  api: Api;
  id: string;
  token: string;
  connection: Connection;
  /** text -> id of every send the server answered `sent`. */
  acked: Map<string, string>;
  /** text -> chat for every send made. */
  sends: Map<string, ChatId>;
}

function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runStorm(options: StormOptions, log: (line: string) => void = () => {}): Promise<StormReport> {
  const rand = random(options.seed ?? 7);
  const state = newStateDir("edge-chat-chaos-");
  let server: RunningServer = await startServer({ persistTo: state });
  const port = server.port;
  const members: Member[] = [];
  for (let i = 0; i < options.users; i++) {
    const api = new Api({ baseUrl: server.url });
    const { token, user } = await api.register(`chaos_${Date.now().toString(36)}_${i}`, "chaos-password-1");
    const connection = new Connection({
      baseUrl: server.url,
      token,
      userId: user.id,
      backoff: { baseMs: 100, maxMs: 1000 },
    });
    const member: Member = { api, id: user.id, token, connection, acked: new Map(), sends: new Map() };
    members.push(member);
  }
  for (const m of members) m.connection.start();
  const groups: { id: string; members: Member[] }[] = [];
  for (let g = 0; g < (options.groups ?? 0); g++) {
    const chosen = [...members].sort(() => rand() - 0.5).slice(0, options.groupSize ?? 4);
    const [owner, ...rest] = chosen as [Member, ...Member[]];
    const group = await owner.api.createGroup(
      `chaos ${g}`,
      rest.map((m) => m.id),
    );
    groups.push({ id: group.id, members: chosen });
  }

  // The storm: every user sends perUser messages to random peers and to its groups.
  const storms = members.map(async (m, i) => {
    const mine = groups.filter((g) => g.members.includes(m));
    for (let n = 0; n < options.perUser; n++) {
      const peer = members[(i + 1 + Math.floor(rand() * (members.length - 1))) % members.length] as Member;
      const group = mine.length > 0 && rand() < 1 / 3 ? mine[Math.floor(rand() * mine.length)] : undefined;
      const chat: ChatId = group ? `g:${group.id}` : `u:${peer.id}`;
      const text = `chaos ${i} ${n}`;
      m.sends.set(text, chat);
      void m.connection.sendAndWait(chat, text).then((s) => m.acked.set(text, s.id));
      await sleep(options.gapMs);
    }
  });

  // Meanwhile: kill and restart the runtime at random moments.
  let kills = 0;
  const killer = (async () => {
    for (; kills < options.kills; kills++) {
      await sleep(300 + rand() * 1200);
      await server.kill();
      const at = Date.now();
      server = await startServer({ persistTo: state, port, migrate: false });
      log(`killed and restarted the runtime (${kills + 1}/${options.kills}) in ${Date.now() - at} ms`);
    }
  })();
  const started = Date.now();
  await Promise.all([...storms, killer]);
  log(`storm and kills done after ${Date.now() - started} ms`);

  // Let every queue drain: the client module resends until `sent`.
  const deadline = Date.now() + 120_000;
  while (members.some((m) => m.connection.pending.length > 0) && Date.now() < deadline) await sleep(200);
  for (const m of members) m.connection.close();
  log(`client queues drained after ${Date.now() - started} ms`);

  const report = await audit(server.url, members, groups, kills);
  log(`audit done after ${Date.now() - started} ms`);
  await server.stop();
  return report;
}

async function mailboxOf(baseUrl: string, token: string): Promise<Message[]> {
  const socket = await RawSocket.open(baseUrl, token);
  await socket.sync(0);
  socket.close();
  return socket.of("message").map((f) => f.message);
}

async function audit(
  baseUrl: string,
  members: Member[],
  groups: { id: string; members: Member[] }[],
  kills: number,
): Promise<StormReport> {
  const problems: string[] = [];
  const byId = new Map(members.map((m) => [m.id, m]));
  const sent = members.reduce((n, m) => n + m.sends.size, 0);
  const acknowledged = members.reduce((n, m) => n + m.acked.size, 0);
  let lost = 0;
  let duplicated = 0;
  const groupById = new Map(groups.map((g) => [g.id, g]));
  /** Who must hold a message: both ends of a one-to-one chat, every member of a group. */
  const holders = (sender: Member, chat: ChatId): Member[] =>
    chat.startsWith("g:") ? (groupById.get(chat.slice(2))?.members ?? []) : [sender, byId.get(chat.slice(2)) as Member];
  let expectedCopies = 0;
  for (const m of members) {
    for (const text of m.acked.keys()) expectedCopies += holders(m, m.sends.get(text) as ChatId).length;
  }
  // Delivery is asynchronous: give outboxes and fan-outs time to drain, then read every mailbox.
  let mailboxes = new Map<string, Message[]>();
  for (let attempt = 0; attempt < 120; attempt++) {
    const read = await Promise.all(members.map(async (m) => [m.id, await mailboxOf(baseUrl, m.token)] as const));
    mailboxes = new Map(read);
    const total = [...mailboxes.values()].reduce((n, box) => n + box.filter((x) => !x.system).length, 0);
    if (total >= expectedCopies) break;
    await sleep(500);
  }
  for (const m of members) {
    for (const [text, id] of m.acked) {
      for (const holder of holders(m, m.sends.get(text) as ChatId)) {
        const who = holder === m ? "sender" : `member ${holder.id}`;
        const copies = (mailboxes.get(holder.id) ?? []).filter((x) => x.text === text);
        if (copies.length === 0) {
          lost++;
          problems.push(`${who} lacks "${text}"`);
        } else if (copies.length > 1) {
          duplicated += copies.length - 1;
          problems.push(`${who} has "${text}" ${copies.length} times`);
        } else if (copies[0]?.id !== id) {
          problems.push(`${who} has "${text}" under another id`);
        }
      }
    }
  }
  // One order: every member's mailbox holds the group's messages in id order.
  for (const group of groups) {
    for (const member of group.members) {
      const ids = (mailboxes.get(member.id) ?? []).filter((x) => x.chat === `g:${group.id}`).map((x) => x.id);
      if (ids.join() !== [...ids].sort().join())
        problems.push(`member ${member.id} has group ${group.id} out of order`);
    }
  }
  return { sent, acknowledged, lost, duplicated, kills, problems: problems.slice(0, 20) };
}
