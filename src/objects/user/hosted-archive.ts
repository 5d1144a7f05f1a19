// The guest's reads of a hosted chat (./hosted-reads.ts) through the host's
// archive (./mailbox-archive.ts): the log's oldest messages may be in R2
// pages, which carry their positions (docs/one-copy-per-chat.md, "A hosted
// chat's archived pages"). Each read answers SQLite's part synchronously, as
// before, then completes it from the pages of the chat (./mailbox-archive-index.ts),
// loaded with `await` as the mailbox's own archived reads do
// (./mailbox-archive-reads.ts). Change entries never leave SQLite; a change's
// message may be archived, and is then read from its page.

import { HISTORY_LIMIT_MAX } from "../../shared/limits";
import type { GroupEntry } from "../group-entry";
import type { PulledPage } from "../group-object";
import { textMatcher } from "../storage/archive-match";
import {
  entryOf,
  type HostReader,
  hostedChat,
  hostedEntries,
  hostedHistory,
  hostedMessage,
  hostedPull,
  hostedSearch,
} from "./hosted-reads";
import { type ArchivedRow, posOf } from "./mailbox-archive";
import type { MailboxArchiveReads } from "./mailbox-archive-reads";
import { READ_PAGES_MAX, SEARCH_PAGES_MAX } from "./mailbox-archive-reads";

export interface ArchivedHostReader extends HostReader {
  archive: MailboxArchiveReads;
}

/** Entries in one answer, as ./hosted-reads.ts's. */
const PAGE_MAX = 1000;

/** The rows of loaded pages that are entries of the chat's log after `from` (hidden ones too: the guest's copy). */
function logRows(rows: readonly ArchivedRow[], chat: string, from: string): (ArchivedRow & { pos: number })[] {
  return rows.filter((r): r is ArchivedRow & { pos: number } => r.chat === chat && r.id > from && posOf(r) !== null);
}

async function pageRows(me: ArchivedHostReader, first: number): Promise<ArchivedRow[]> {
  const page = me.archive.archive.chats.page(first);
  return page ? ((await me.archive.rowsOf([page]))[0] ?? []) : [];
}

/**
 * Change entries whose message is archived: SQLite's read answers them with
 * no message (position 0); the message is read from its page.
 */
async function withTargets(me: ArchivedHostReader, guest: string, chat: string, entries: GroupEntry[]) {
  for (const entry of entries) {
    if (entry.change?.pos !== 0) continue;
    const row = await me.archive.row(chat, entry.message.id, true);
    const pos = row ? posOf(row) : null;
    if (!row || pos === null) continue;
    entry.message = entryOf(me, guest, { ...row, pos }).message;
    entry.change.pos = pos;
  }
  return entries;
}

function byPos(entries: GroupEntry[]): GroupEntry[] {
  const seen = new Set<string>();
  return entries.filter((e) => !seen.has(e.id) && seen.add(e.id)).sort((a, b) => a.pos - b.pos);
}

/** ./hosted-reads.ts `hostedPull`, with the archived messages after `after` (oldest pages first). */
export async function pullThrough(
  me: ArchivedHostReader,
  guest: string,
  after: string,
  limit: number,
): Promise<PulledPage> {
  const hot = hostedPull(me, guest, after, limit);
  const { chat, from } = hostedChat(me, guest);
  const start = after > from ? after : from;
  const pages = me.archive.archive.chats.pagesAfter(chat, start, READ_PAGES_MAX + 1);
  if (pages.length === 0) return { ...hot, entries: await withTargets(me, guest, chat, hot.entries) };
  // Rows of pages not loaded have ids at or above the next page's lowest: the answer stops below it.
  const bound = pages[READ_PAGES_MAX]?.minId ?? "~";
  const loaded = await me.archive.rowsOf(pages.slice(0, READ_PAGES_MAX).map((p) => p.page));
  const cold = logRows(loaded.flat(), chat, start).map((r) => entryOf(me, guest, r));
  const max = Math.min(Math.max(1, Math.trunc(limit) || 1), PAGE_MAX);
  const entries = byPos([...cold, ...hot.entries])
    .filter((e) => e.id < bound)
    .slice(0, max);
  // The caller pulls again after `through` until it is null: loaded pages with no entry still move it on.
  const passed = pages
    .slice(0, READ_PAGES_MAX)
    .map((p) => p.maxId)
    .filter((id) => id < bound)
    .sort()
    .at(-1);
  const through = entries.at(-1)?.id ?? (bound === "~" ? null : (passed ?? null));
  return { ...hot, entries: await withTargets(me, guest, chat, entries), through };
}

/**
 * ./hosted-reads.ts `hostedEntries`, with the positions SQLite lacks read
 * from pages. Positions rise with seqs in a hosted chat, and pages are seq
 * ranges: the first page reaching `fromPos` is found by halving the chat's
 * pages, then pages are read onwards until the range is whole. Not capped:
 * the caller (./group-reads.ts `range`) takes a short answer as the end, so
 * the work is the pages the range's positions are in.
 */
export async function entriesThrough(
  me: ArchivedHostReader,
  guest: string,
  fromPos: number,
  toPos: number,
): Promise<GroupEntry[]> {
  const hot = hostedEntries(me, guest, fromPos, toPos);
  const { chat, from } = hostedChat(me, guest);
  const end = Math.min(toPos, fromPos + PAGE_MAX - 1, (me.mailbox.chatRows.nextPos(chat) ?? 1) - 1);
  const have = new Set(hot.map((e) => e.pos));
  const missing = new Set<number>();
  for (let p = Math.max(1, fromPos); p <= end; p++) if (!have.has(p)) missing.add(p);
  const numbers = missing.size > 0 ? me.archive.archive.chats.pageNumbers(chat) : [];
  if (numbers.length === 0) return withTargets(me, guest, chat, hot);
  const first = Math.min(...missing);
  const last = Math.max(...missing);
  // The page's log rows, or those of the next page that has any (a page may hold only rows from before hosting).
  const rowsFrom = async (i: number) => {
    for (let j = i; j < numbers.length; j++) {
      const rows = logRows(await pageRows(me, numbers[j] as number), chat, from);
      if (rows.length > 0) return { j, rows };
    }
    return { j: numbers.length, rows: [] };
  };
  // The first page whose log rows reach `first`: pages mid..j share the first page with rows at or after mid.
  let lo = 0;
  let hi = numbers.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const { j, rows } = await rowsFrom(mid);
    if (j === numbers.length || Math.max(...rows.map((r) => r.pos)) >= first) hi = mid;
    else lo = Math.min(j + 1, hi);
  }
  const cold: GroupEntry[] = [];
  for (let i = lo; i < numbers.length && missing.size > 0; i++) {
    const rows = logRows(await pageRows(me, numbers[i] as number), chat, from);
    for (const row of rows) {
      if (!missing.delete(row.pos)) continue;
      cold.push(entryOf(me, guest, row));
    }
    if (rows.some((r) => r.pos > last)) break;
  }
  return withTargets(me, guest, chat, byPos([...hot, ...cold]).slice(0, PAGE_MAX));
}

/**
 * ./hosted-reads.ts `hostedHistory`, completed from the chat's pages (highest
 * ids first) as the mailbox's history is, but up to `limit` pages rather than
 * 8: each holds a row of the chat, and a short page would end the guest's
 * scrolling back.
 */
export async function historyThrough(
  me: ArchivedHostReader,
  guest: string,
  before: string | undefined,
  limit: number,
): Promise<GroupEntry[]> {
  const hot = hostedHistory(me, guest, before, limit);
  const { chat, from } = hostedChat(me, guest);
  const upper = before ?? "~";
  const max = Math.min(Math.max(1, Math.trunc(limit) || 1), HISTORY_LIMIT_MAX);
  const pages = me.archive.archive.chats.pagesBefore(chat, upper, max);
  const found = [...hot].sort((a, b) => (a.id < b.id ? 1 : -1));
  for (const { page, maxId } of pages) {
    if (maxId <= from) break;
    if (found.length >= max && (found[max - 1]?.id ?? "") > maxId) break;
    const [rows = []] = await me.archive.rowsOf([page]);
    for (const row of logRows(rows, chat, from)) if (row.id < upper) found.push(entryOf(me, guest, row));
    found.sort((a, b) => (a.id < b.id ? 1 : -1));
  }
  const seen = new Set<string>();
  return found
    .filter((e) => !seen.has(e.id) && seen.add(e.id))
    .slice(0, max)
    .reverse();
}

/** ./hosted-reads.ts `hostedMessage`, or the message's archived row. */
export async function messageThrough(me: ArchivedHostReader, guest: string, id: string): Promise<GroupEntry | null> {
  const hot = hostedMessage(me, guest, id);
  if (hot) return hot;
  const { chat, from } = hostedChat(me, guest);
  if (id <= from) return null;
  const row = await me.archive.row(chat, id, true);
  const pos = row ? posOf(row) : null;
  return row && pos !== null ? entryOf(me, guest, { ...row, pos }) : null;
}

/**
 * ./hosted-reads.ts `hostedSearch`, then the chat's newest SEARCH_PAGES_MAX
 * pages below `before`, matched in code as the mailbox's archived search is
 * (FTS5 covers SQLite only); newest first.
 */
export async function searchThrough(
  me: ArchivedHostReader,
  guest: string,
  match: string,
  before: string | undefined,
  limit: number,
): Promise<GroupEntry[]> {
  const hot = hostedSearch(me, guest, match, before, limit);
  const { chat, from } = hostedChat(me, guest);
  const max = Math.min(Math.max(1, Math.trunc(limit) || 1), HISTORY_LIMIT_MAX);
  const upper = before ?? "~";
  const pages = hot.length < max ? me.archive.archive.chats.pagesBefore(chat, upper, SEARCH_PAGES_MAX) : [];
  if (pages.length === 0) return hot;
  const matches = textMatcher(match);
  const cold: GroupEntry[] = [];
  for (const rows of await me.archive.rowsOf(pages.map((p) => p.page))) {
    for (const row of logRows(rows, chat, from)) {
      if (row.system !== null || row.id >= upper) continue;
      const name = row.media === null ? "" : ((JSON.parse(row.media) as { name?: string }).name ?? "");
      if (matches(name ? `${row.text} ${name}` : row.text)) cold.push(entryOf(me, guest, row));
    }
  }
  const seen = new Set<string>();
  return [...hot, ...cold]
    .filter((e) => !seen.has(e.id) && seen.add(e.id))
    .sort((a, b) => (a.id < b.id ? 1 : -1))
    .slice(0, max);
}
