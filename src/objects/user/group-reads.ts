// Reading a user's groups through their logs: catching up with what a group
// holds (a gap after a crash, or before a sync), the content of a sync, a
// chat's history, search and single messages. The group object answers for
// members now and before only, bounded by their windows; this object adds its
// own seqs (./group-chats.ts) and leaves out what it deleted for itself.

import { AppError, type Result } from "../../shared/errors";
import type { ChatId, Message, ServerFrame } from "../../shared/protocol";
import type { GroupEntry, GroupMessage } from "../group-entry";
import type { GroupChat } from "./group-chat-store";
import type { GroupChats } from "./group-chats";
import { broadcastEntries } from "./live-batches";
import { type LogReads, logOf } from "./log-source";
import type { Mailbox } from "./mailbox";

export interface GroupReader {
  userId: string;
  env: Env;
  groups: GroupChats;
  mailbox: Mailbox;
  /** Runs a synchronous block of writes in the object's next batch (`wrote`: whether it wrote, if it can tell). */
  writes: <T>(job: () => T, wrote?: (result: T) => boolean) => Promise<T>;
  sockets: () => WebSocket[];
}

export interface ReplayEntry {
  seq: number;
  frame: ServerFrame | null;
}

/** The read position a pull brought back, with the unread count up to `after` (../group-object.ts). */
interface PulledRead {
  after: string;
  upTo: string;
  unread: number;
}

const PAGE = 1000;
/** Entries in the first take of a group since a wake from which they are written at once (see `take`). */
const WAKE_WRITE = 10;

/** An RPC to a group: a thrown error is `unavailable` (try again), a refusal keeps its code. */
async function call<T>(request: () => Promise<Result<T>>): Promise<T> {
  let answer: Result<T>;
  try {
    answer = await request();
  } catch (err) {
    console.warn(JSON.stringify({ event: "group_read_failed", error: String(err) }));
    throw new AppError("unavailable", "the group could not be reached; try again");
  }
  if (!answer.ok) throw new AppError(answer.error.code, answer.error.message);
  return answer.value;
}

export class GroupReads {
  /** Groups caught up with since this object woke: pushes keep them current from then on. */
  private readonly verified = new Set<string>();
  /** Groups taken from since this object woke. */
  private readonly taken = new Set<string>();

  constructor(private readonly me: GroupReader) {}

  private log(chat: string): LogReads {
    return logOf(this.me.env, this.me.userId, chat);
  }

  /** Each log's first id, once found since this object woke (it never changes). */
  private readonly firsts = new Map<string, string>();

  /** The first id of a log (null: empty): in a hosted chat, messages from it on are the log's, not the mailbox's. */
  async firstId(chat: string): Promise<string | null> {
    const known = this.firsts.get(chat);
    if (known !== undefined) return known;
    const first = (await call(() => this.log(chat).pull("", 1))).entries[0]?.id ?? null;
    if (first !== null) this.firsts.set(chat, first);
    return first;
  }

  /** Ids this user deleted for itself: never shown again. */
  readonly hidden = (id: string): boolean => this.me.mailbox.changes.isForgotten(id);

  /**
   * Takes entries of a group (pushed, pulled or in an answer) and shows them
   * on every device. The first take of a group since this object woke that
   * took many entries (a batch lost with the object, taken again; a window
   * never taken) writes at once: an object evicted again before its batch was
   * due would otherwise take them again at every wake, its devices getting
   * ever more copies to drop.
   */
  async take(chat: string, entries: readonly GroupEntry[], read?: PulledRead): Promise<boolean> {
    if (entries.length === 0 && !read) return true;
    const first = entries.length > 0 && !this.taken.has(chat);
    if (entries.length > 0) this.taken.add(chat);
    const groups = this.me.groups;
    let writes = 0;
    const { frames, current } = await this.me.writes(
      () => {
        writes = groups.writes;
        const current = read ? groups.recoverRead(chat, read.after, read.upTo, read.unread) : true;
        if (entries.length === 0) return { frames: [], current };
        const row = groups.get(chat);
        const from = row?.uptoPos ?? 0;
        const shown = groups.take(chat, entries, this.hidden);
        const moved = (groups.get(chat)?.uptoPos ?? 0) - from;
        // A group's first row is written at once too: the chat list is made of stored rows.
        if (!row || groups.due || (first && moved >= WAKE_WRITE)) groups.flush();
        return { frames: shown, current };
      },
      // Reads (rows, runs, hidden ids) and in-memory takes write nothing; GroupChats counts what does.
      () => groups.writes !== writes,
    );
    // Several entries at once: one `replay` frame for the devices that take them (./live-batches.ts).
    broadcastEntries(this.me.sockets(), frames);
    return current;
  }

  /**
   * Takes whatever the group holds after what this object has, and the read
   * position the group stored for this member if it is further than this
   * object's (lost with it before its batch: group/read-marks.ts).
   */
  async pull(chat: string): Promise<void> {
    let after = this.me.groups.get(chat)?.upto ?? "";
    let asking = true;
    for (let tries = 0; ; ) {
      const known = asking ? (this.me.groups.get(chat)?.readUpto ?? "") : undefined;
      const page = await call(() => this.log(chat).pull(after, PAGE, known));
      const read = page.read ? { after, ...page.read } : undefined;
      if (await this.take(chat, page.entries, read)) asking = false;
      if (page.through !== null) {
        after = page.through;
        continue;
      }
      // A push took entries while the group answered: ask once more from where the row stands.
      if (!asking || ++tries >= 3) break;
      after = this.me.groups.get(chat)?.upto ?? "";
    }
    this.verified.add(chat);
  }

  /**
   * Catches up with every group once per wake (a sync, the chat list). A
   * sync must not move a device's cursor past what it could not read, so it
   * fails when a group cannot be reached; the chat list shows what it has.
   */
  async pullAll(strict = true): Promise<void> {
    const chats = this.me.groups.all().filter((row) => !this.verified.has(row.chat));
    await Promise.all(
      chats.map((row) =>
        this.pull(row.chat).catch((err: unknown) => {
          if (strict) throw err;
          console.warn(JSON.stringify({ event: "group_pull_failed", chat: row.chat, error: String(err) }));
        }),
      ),
    );
  }

  /**
   * The group entries a `sync after` replays. Reads what it needs from the
   * groups (awaits), then answers a function that lists them, each at its
   * seq, in seq order, to be called in the replay's synchronous block: it
   * takes the runs again as they are then, so entries taken while the groups
   * answered are in it too (their content is in the recent cache).
   */
  async replayEntries(after: number): Promise<() => ReplayEntry[]> {
    await this.pullAll();
    const content = new Map<string, GroupEntry>();
    for (const run of this.me.groups.runsAfter(after)) {
      const from = Math.max(run.pos, run.pos + (after + 1 - run.seq));
      const to = run.pos + run.count - 1;
      if (this.me.groups.recentCovers(run.chat, from, to)) continue;
      for (const entry of await this.range(run.chat, from, to)) content.set(`${run.chat} ${entry.pos}`, entry);
    }
    return () => {
      const out: ReplayEntry[] = [];
      for (const run of this.me.groups.runsAfter(after)) {
        const row = this.me.groups.get(run.chat);
        if (!row) continue;
        for (let pos = Math.max(run.pos, run.pos + (after + 1 - run.seq)); pos < run.pos + run.count; pos++) {
          const entry = content.get(`${run.chat} ${pos}`) ?? this.me.groups.recent(run.chat, pos);
          if (!entry) continue; // a position the member may not read (a change of a message it never had)
          const seq = run.seq + (pos - run.pos);
          out.push({ seq, frame: this.frameOf(row, entry, seq) });
        }
      }
      return out.sort((a, b) => a.seq - b.seq);
    };
  }

  private async range(chat: string, from: number, to: number): Promise<GroupEntry[]> {
    const all: GroupEntry[] = [];
    let next = from;
    while (next <= to) {
      const page = await call(() => this.log(chat).entries(next, to));
      all.push(...page);
      if (page.length < PAGE) break;
      next = (page.at(-1)?.pos ?? to) + 1;
    }
    return all;
  }

  /** An entry as sync replays it (null: nothing to show, its seq still counts). */
  private frameOf(row: GroupChat, entry: GroupEntry, seq: number): ServerFrame | null {
    if (!entry.change) {
      return this.hidden(entry.id) ? null : { type: "message", message: { ...this.quoted(row, entry.message), seq } };
    }
    const target = entry.message;
    if (target.id <= row.floor || this.hidden(target.id)) return null; // an older row's change replays from `changes`
    const at = this.me.groups.seqOf(row.chat, entry.change.pos, target.id);
    if (at === null) return null;
    const clientId = entry.change.clientId;
    return { type: "update", seq, message: { ...target, seq: at }, ...(clientId ? { clientId } : {}) };
  }

  /**
   * A hosted chat's reply quoting a copy from before hosting, as this mailbox's row of it is now: a
   * change of that copy comes as a copy too, and never reaches the entries taken since the wake.
   */
  private quoted(row: GroupChat, message: GroupMessage): GroupMessage {
    const id = message.replyTo?.id;
    if (id === undefined || !row.chat.startsWith("u:")) return message;
    const quote = this.me.mailbox.quote(id);
    return quote ? { ...message, replyTo: quote } : message;
  }

  /** Group entries as this user's messages: its seqs, older rows of its own where it has them. */
  private asMessages(chat: string, entries: readonly GroupEntry[]): Message[] {
    const row = this.me.groups.get(chat);
    const out: Message[] = [];
    for (const entry of entries) {
      if (this.hidden(entry.id)) continue;
      if (row && entry.id <= row.floor) {
        const own = this.me.mailbox.findById(entry.id);
        if (own) out.push(own);
        continue;
      }
      const seq = this.me.groups.seqOf(chat, entry.pos, entry.id);
      if (seq !== null) {
        out.push({ ...entry.message, seq });
        continue;
      }
      // A hosted chat's message by the host that came as a copy (handed while this user's
      // HOSTED_GUEST_SEND was off: ./hosted-push.ts): the log's version at the copy's seq.
      const copy = chat.startsWith("u:") ? this.me.mailbox.findById(entry.id) : null;
      if (copy?.chat === chat) out.push({ ...entry.message, seq: copy.seq });
    }
    return out;
  }

  /** One page of a group chat, oldest first. */
  async history(chat: ChatId, before: string | undefined, limit: number): Promise<Message[]> {
    return (await this.historyPage(chat, before, limit)).messages;
  }

  /**
   * One page of a log, oldest first, and what the log answered: `oldest`, the
   * oldest id in it (null: none), and `full`, whether it answered `limit`
   * entries (if not, it holds nothing older than `oldest`, or than `before`).
   */
  async historyPage(
    chat: ChatId,
    before: string | undefined,
    limit: number,
  ): Promise<{ messages: Message[]; oldest: string | null; full: boolean }> {
    if (!this.me.groups.get(chat)) return { messages: [], oldest: null, full: false }; // nothing of it ever reached this user
    if (!this.verified.has(chat)) await this.pull(chat);
    const entries = await call(() => this.log(chat).history(before, limit));
    return { messages: this.asMessages(chat, entries), oldest: entries[0]?.id ?? null, full: entries.length >= limit };
  }

  /** One message of a group this user may read (null: none, or not for this user). */
  async message(chat: string, id: string): Promise<Message | null> {
    const entry = await call(() => this.log(chat).message(id));
    if (!entry) return null;
    if (!this.verified.has(chat)) await this.pull(chat);
    return this.asMessages(chat, [entry])[0] ?? null;
  }

  /** Search hits in every group of this user, newest first (an FTS5 expression, see search-query.ts). */
  async search(match: string, before: string | undefined, limit: number): Promise<Message[]> {
    const pages = await Promise.all(
      this.me.groups.all().map(async (row) => {
        const entries = await call(() => this.log(row.chat).search(match, before, limit));
        return this.asMessages(row.chat, entries);
      }),
    );
    return pages.flat();
  }
}
