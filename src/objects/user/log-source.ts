// The object that holds a chat's one log, as a reader's object sees it: a
// group's log, in its group object, or a hosted one-to-one chat's, in the
// host's user object (docs/one-copy-per-chat.md, step 2; ./hosted-reads.ts).
// Group reads (./group-reads.ts) talk to this interface with the reader fixed,
// so a hosted chat is read by the same code as a group. Acknowledgements go
// through ./group-acks.ts for both (a hosted chat's to `hostedAck`, step 3).

import { AppError, type Result } from "../../shared/errors";
import type { GroupEntry } from "../group-entry";
import type { PulledPage } from "../group-object";

export interface LogReads {
  /** What the reader may read after log id `after`; with `known`, its read position there if further. */
  pull(after: string, limit: number, known?: string): Promise<Result<PulledPage>>;
  /** The entries the reader may read at positions from..to. */
  entries(from: number, to: number): Promise<Result<GroupEntry[]>>;
  history(before: string | undefined, limit: number): Promise<Result<GroupEntry[]>>;
  search(match: string, before: string | undefined, limit: number): Promise<Result<GroupEntry[]>>;
  message(id: string): Promise<Result<GroupEntry | null>>;
}

/** The log of chat `chat` read as `reader`: `g:<group id>`, or `u:<host>` for a chat `host` hosts. */
export function logOf(env: Env, reader: string, chat: string): LogReads {
  if (chat.startsWith("g:")) {
    const group = env.GROUPS.get(env.GROUPS.idFromName(chat.slice(2)));
    return {
      pull: (after, limit, known) => group.pull(reader, after, limit, known),
      entries: (from, to) => group.entries(reader, from, to),
      history: (before, limit) => group.history(reader, before, limit),
      search: (match, before, limit) => group.search(reader, match, before, limit),
      message: (id) => group.message(reader, id),
    };
  }
  if (chat.startsWith("u:")) {
    // With `known`, the host answers the read position it holds for its guest (step 3, ./hosted-acks.ts).
    const host = env.USERS.get(env.USERS.idFromName(chat.slice(2)));
    return {
      pull: (after, limit, known) => host.hostedPull(reader, after, limit, known),
      entries: (from, to) => host.hostedEntries(reader, from, to),
      history: (before, limit) => host.hostedHistory(reader, before, limit),
      search: (match, before, limit) => host.hostedSearch(reader, match, before, limit),
      message: (id) => host.hostedMessage(reader, id),
    };
  }
  throw new AppError("not_found", "no such chat");
}
