// The object that holds a chat's one log, as a reader's object sees it. Today
// that is a group's log, in its group object. Step 2 of docs/one-copy-per-chat.md
// adds a second kind: a hosted one-to-one chat, whose log is in the host's user
// object. Group reads and acknowledgements (./group-reads.ts, ./group-acks.ts)
// talk to this interface, with the reader fixed, so the second kind is one more
// implementation here rather than a second copy of those modules.

import { AppError, type Result } from "../../shared/errors";
import type { GroupEntry } from "../group-entry";
import type { PulledPage } from "../group-object";

export interface LogSource {
  /** What the reader may read after log id `after`; with `known`, its read position there if further. */
  pull(after: string, limit: number, known?: string): Promise<Result<PulledPage>>;
  /** The entries the reader may read at positions from..to. */
  entries(from: number, to: number): Promise<Result<GroupEntry[]>>;
  history(before: string | undefined, limit: number): Promise<Result<GroupEntry[]>>;
  search(match: string, before: string | undefined, limit: number): Promise<Result<GroupEntry[]>>;
  message(id: string): Promise<Result<GroupEntry | null>>;
  /** The reader's devices got (`delivered`) or read (`read`) the log up to these ids. */
  ack(delivered: string, read: string, upto: string): Promise<Result<{ unread: number | null }>>;
}

/** The log of chat `chat` (`g:<group id>`), read as `reader`. */
export function logOf(env: Env, reader: string, chat: string): LogSource {
  if (!chat.startsWith("g:")) throw new AppError("not_found", "no such chat");
  const group = env.GROUPS.get(env.GROUPS.idFromName(chat.slice(2)));
  return {
    pull: (after, limit, known) => group.pull(reader, after, limit, known),
    entries: (from, to) => group.entries(reader, from, to),
    history: (before, limit) => group.history(reader, before, limit),
    search: (match, before, limit) => group.search(reader, match, before, limit),
    message: (id) => group.message(reader, id),
    ack: (delivered, read, upto) => group.ack(reader, delivered, read, upto),
  };
}
