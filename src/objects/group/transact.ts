// How the group object runs each operation: as one SQLite transaction, its
// AppError the answer (a Result, since an Error's code does not survive RPC:
// shared/errors.ts), and again once the archived pages it missed are loaded
// (docs/archive.md).

import { AppError, fail, ok, type Result } from "../../shared/errors";
import type { ArchivePage } from "../storage/archive-index";
import { ArchiveMiss } from "../storage/archive-shelf";

/**
 * Runs one operation as a transaction. An AppError is the answer; anything
 * else rolls the writes back and restarts the object, so that what it holds
 * in memory (caches, the fan-out's queue) matches storage again.
 */
export function transact<T>(ctx: DurableObjectState, fn: () => T): Result<T> {
  try {
    return ok(ctx.storage.transactionSync(fn));
  } catch (err) {
    if (err instanceof AppError) return fail(err);
    if (err instanceof ArchiveMiss) throw err; // nothing is wrong: `transactLoading` loads the pages
    console.error(JSON.stringify({ event: "group_error", error: String(err), stack: (err as Error)?.stack }));
    ctx.abort("unexpected error");
    throw err;
  }
}

/**
 * Runs one operation as `transact` does, and when it needs archived pages
 * that are not in memory (ArchiveMiss: its writes rolled back), loads them
 * from R2 with `load` and runs it again.
 */
export async function transactLoading<T>(
  ctx: DurableObjectState,
  load: (pages: readonly ArchivePage[]) => Promise<void> | undefined,
  fn: () => T,
): Promise<Result<T>> {
  for (let attempt = 0; ; attempt++) {
    try {
      return transact(ctx, fn);
    } catch (err) {
      if (!(err instanceof ArchiveMiss)) throw err;
      if (attempt >= 24) return fail(new AppError("unavailable", "the archive is busy; try again"));
      await load(err.pages);
    }
  }
}
