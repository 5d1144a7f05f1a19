// Search in the user's own chats: SQLite FTS5 over message text, newest first,
// paged by message id. One-to-one messages (and group messages stored before
// schema step 8) are searched in this mailbox (messages_fts, schema steps 3-7);
// group messages in each group's own index (group/views.ts), once for all its
// members, bounded by the caller's windows there; a one-to-one chat its peer
// hosts, after its floor, in the host's (./hosted-views.ts). The newest messages of
// this mailbox wait in the index's tail and are matched one by one
// (./search-tail.ts). Archived one-to-one
// messages (./mailbox-archive-reads.ts) are scanned in a few pages when the
// index finds fewer hits than asked.
//
// The words come from parseSearchQuery (letters and digits only), but they are
// quoted again (matchExpression), so that whatever reaches this module over
// RPC is a plain string to FTS5, never an operator: `"and"* "or"*` is two
// words, not syntax.

import { AppError, fail, ok, type Result } from "../../shared/errors";
import { HISTORY_LIMIT_MAX } from "../../shared/limits";
import type { Message } from "../../shared/protocol";
import { originOf } from "../group-entry";
import type { GroupChats } from "./group-chats";
import type { GroupReads } from "./group-reads";
import { mergeHits, readsHosted } from "./hosted-views";
import { type Mailbox, MESSAGE_COLUMNS, type MessageRow } from "./mailbox";
import type { MailboxArchiveReads } from "./mailbox-archive-reads";
import { matchExpression, searchSqlBeforeId } from "./search-query";
import { tailHits } from "./search-tail";

export interface SearchRequest {
  words: string[];
  /** A message id from an earlier page: only older hits follow. */
  before?: string;
  limit: number;
}

const QUERY = searchSqlBeforeId(MESSAGE_COLUMNS.split(", "));

/** Hits in this mailbox only; `before` may also be an id that `elsewhere` knows (a group message). */
export function searchMailbox(
  sql: SqlStorage,
  mailbox: Mailbox,
  request: SearchRequest,
  elsewhere: (id: string) => boolean = () => false,
): Result<Message[]> {
  const words = request.words.filter((word) => typeof word === "string" && word.length > 0);
  if (words.length === 0) return ok([]);
  const before = request.before;
  if (before !== undefined && !mailbox.findById(before) && !elsewhere(before)) {
    return fail(new AppError("invalid_field", "before must be the id of a message in your mailbox"));
  }
  const match = matchExpression(words);
  const limit = limitOf(request);
  // The newest messages wait for the index in its tail (./search-tail.ts); every hit there is newer.
  const tail = tailHits(sql, match, before ?? "~", limit, MESSAGE_COLUMNS, true);
  const rows =
    tail.length < limit ? sql.exec<MessageRow>(QUERY, match, before ?? "~", limit - tail.length).toArray() : [];
  // The index holds the row's text; one the host keeps its own version of is not what it would match (./host-views.ts).
  const hits = [...tail, ...rows].filter((row) => !mailbox.hostViews.keepsText(row.id));
  return ok(hits.map((row) => mailbox.toMessage(row)));
}

/** Whether `id` may be a message of a log this user reads: a group's, or a hosted chat's (ids end with the log's owner). */
function inLog(groups: GroupChats, id: string): boolean {
  return groups.isGroupMessage(id) || groups.get(`u:${originOf(id)}`) !== null;
}

/** Mailbox hits without those of a hosted chat after its floor: its log answers for them (./hosted-views.ts). */
async function belowFloors(groups: GroupChats, reads: GroupReads, hits: Message[]): Promise<Message[]> {
  const chats = new Set(hits.map((m) => m.chat).filter((chat) => readsHosted(groups, chat)));
  if (chats.size === 0) return hits;
  const firsts = new Map<string, string | null>();
  for (const chat of chats) firsts.set(chat, await reads.firstId(chat));
  return hits.filter((m) => {
    const first = firsts.get(m.chat);
    return first === undefined || first === null || m.id < first;
  });
}

function limitOf(request: SearchRequest): number {
  return Math.min(Math.max(1, Math.trunc(request.limit) || 1), HISTORY_LIMIT_MAX);
}

/** Hits in this mailbox (its archive too) and in every group of the user, merged newest first. */
export async function searchAll(
  sql: SqlStorage,
  mailbox: Mailbox,
  groups: GroupChats,
  reads: GroupReads,
  request: SearchRequest,
  archive?: MailboxArchiveReads,
): Promise<Result<Message[]>> {
  const words = request.words.filter((word) => typeof word === "string" && word.length > 0);
  const limit = limitOf(request);
  const before = request.before;
  try {
    // `before` may be an archived message: a hit of an earlier page scanned there.
    const archivedBefore =
      archive !== undefined &&
      words.length > 0 &&
      before !== undefined &&
      !mailbox.findById(before) &&
      !inLog(groups, before) &&
      (await archive.has(before));
    const local = searchMailbox(sql, mailbox, request, (id) => archivedBefore || inLog(groups, id));
    if (!local.ok || words.length === 0) return local;
    const match = matchExpression(words);
    const archived = (archive && local.value.length < limit ? await archive.search(match, before, limit) : []).filter(
      (m) => !mailbox.hostViews.keepsText(m.id),
    );
    // Hosted chats' logs too (`u:<host>` rows); their messages win over a copy the mailbox still has.
    const inGroups = await reads.search(match, before, limit);
    return ok(mergeHits(inGroups, await belowFloors(groups, reads, [...local.value, ...archived]), limit));
  } catch (err) {
    if (err instanceof AppError) return fail(err);
    throw err;
  }
}
