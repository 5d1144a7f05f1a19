// `npm run bench:archive -- [--messages N] [--page P] [--runs R] [--mailbox]`
// How long a history page takes to read once it is archived (docs/archive.md):
// one group (with --mailbox: one one-to-one chat, the sender's mailbox) gets
// N messages (default 5,000) over real sockets from `wrangler dev`, its archive set to pages of P entries (default 250) and a hot window
// of 1 ms, so everything but the newest entries goes to (local) R2; then it
// times GET /api/chats/:chat/messages for a page in SQLite, a page in an
// archived page not yet in the object's memory (R2 read, gunzip, parse), and
// the same again once in memory. Not a test: it prints figures.

import { rmSync } from "node:fs";
import { http, registerUser } from "../test/support/raw-socket";
import { newStateDir, startWithOperator } from "../test/support/server";
import { makeCorpus } from "./search/corpus";
import { runSender } from "./search/fill";
import { BENCH_SERVER_VARS } from "./targets";

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  return at === -1 ? fallback : Number(process.argv[at + 1]);
}
const MESSAGES = option("messages", 5_000);
const PAGE = option("page", 250);
const RUNS = option("runs", 20);
const MAILBOX = process.argv.includes("--mailbox");
const LIMIT = 50; // messages per history request, as the page asks
const log = (line: string) => process.stderr.write(`${line}\n`);

interface Stats {
  /** Entries in SQLite: a group's log, or a mailbox's messages. */
  log: number;
  behind: number;
  archived: number;
  archivedMessages?: number;
  archivedBytes: number;
  sqliteBytes: number;
}

function summary(ms: number[]): string {
  const sorted = [...ms].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return `p50 ${at(0.5).toFixed(1)} ms, p90 ${at(0.9).toFixed(1)} ms, max ${at(1).toFixed(1)} ms (n=${sorted.length})`;
}

async function main(): Promise<void> {
  const persistTo = newStateDir("edge-chat-archive-");
  const vars = {
    ...BENCH_SERVER_VARS,
    ARCHIVE_HOT_MS: "1",
    ARCHIVE_PAGE_ENTRIES: String(PAGE),
    ARCHIVE_STEP_GAP_MS: "10",
  };
  // The admin stats route wants an operator in ADMIN_USER_IDS.
  const { server, operator } = await startWithOperator({ persistTo, vars });
  try {
    const url = server.url;
    const poster = await registerUser(url, "poster");
    const reader = await registerUser(url, "reader");
    const chat = MAILBOX ? `u:${reader.user.id}` : `g:${await group(url, poster.token, reader.user.id)}`;
    // The mailbox is read by its owner (the sender), the group's log by a member.
    const token = MAILBOX ? poster.token : reader.token;
    // The search benchmark's texts: words from a Zipf vocabulary, about 100 characters.
    const texts = makeCorpus(MESSAGES).texts;
    let sent = 0;
    const progress = setInterval(() => log(`sent ${sent}/${MESSAGES}`), 15_000);
    const ids = await runSender(url, { token: poster.token, chat, texts }, () => sent++);
    clearInterval(progress);
    log(`sent ${MESSAGES}; waiting for the archive`);
    const stats = async (): Promise<Stats> => {
      const path = MAILBOX ? `/api/admin/users/${poster.user.id}/stats` : `/api/admin/groups/${chat.slice(2)}/stats`;
      const body = (await http<Stats & { messages?: number }>(url, path, { token: operator.token })).body;
      // A mailbox's counts: messages in SQLite; nothing fans out (its peer's confirmations gate it instead).
      return MAILBOX ? { ...body, log: body.messages ?? 0, behind: 0 } : body;
    };
    let s = await stats();
    for (let i = 0; i < 1200; i++) {
      const expected = Math.floor((s.log + (s.archivedMessages ?? s.archived * PAGE) - 1) / PAGE);
      if (s.behind === 0 && s.archived >= expected) break;
      await new Promise((r) => setTimeout(r, 500));
      s = await stats();
      if (i % 20 === 19) log(`archived ${s.archived} pages, ${s.log} entries in SQLite, ${s.behind} behind`);
    }
    log(`archived ${s.archived} pages (${s.archivedBytes} B), ${s.log} entries in SQLite (${s.sqliteBytes} B)`);

    const read = async (before?: string): Promise<number> => {
      const query = new URLSearchParams({ limit: String(LIMIT), ...(before ? { before } : {}) });
      const started = performance.now();
      const res = await http<{ messages: unknown[] }>(url, `/api/chats/${chat}/messages?${query}`, {
        token,
      });
      if (res.status !== 200 || res.body.messages.length === 0) throw new Error(`history: ${res.status}`);
      return performance.now() - started;
    };
    const hot: number[] = [];
    for (let i = 0; i < RUNS; i++) hot.push(await read());
    // A request per archived page, newest first, ending inside it: its first read is cold.
    const pages = Math.min(s.archived, RUNS);
    const befores = Array.from({ length: pages }, (_, k) => ids[Math.max(0, (s.archived - k) * PAGE - PAGE / 2)]);
    const cold: number[] = [];
    for (const before of befores) cold.push(await read(before));
    const warm: number[] = [];
    for (let i = 0; i < 2; i++) for (const before of befores) warm.push(await read(before));
    const lines = [
      `archive read${MAILBOX ? " (mailbox)" : ""}: ${MESSAGES} messages, pages of ${PAGE} entries, ${s.archived} pages archived,`,
      `  ${Math.round(s.archivedBytes / Math.max(1, s.archived))} B per page compressed ` +
        `(${Math.round(texts.reduce((n, t) => n + t.length, 0) / texts.length)} characters a message); ${LIMIT} messages per request`,
      `  history in SQLite:                 ${summary(hot)}`,
      `  history in an archived page, cold: ${summary(cold)}`,
      `  the same page again (in memory):   ${summary(warm)}`,
    ];
    process.stdout.write(`${lines.join("\n")}\n`);
  } finally {
    await server.stop();
    rmSync(persistTo, { recursive: true, force: true });
  }
}

async function group(url: string, token: string, member: string): Promise<string> {
  const made = await http<{ id: string }>(url, "/api/groups", {
    method: "POST",
    token,
    body: { name: "archive bench", members: [member] },
  });
  return made.body.id;
}

main().catch((err) => {
  process.stderr.write(`${String(err)}\n`);
  process.exit(1);
});
