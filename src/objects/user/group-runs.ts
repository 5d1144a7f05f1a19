// A member's group runs in memory (./group-chats.ts): how a row's newest run
// grows as entries get seqs, which runs are not yet in a stored page, and the
// seq a run gives a position.

import { type GroupChat, RUN_PAGE, type Run } from "./group-chat-store";

/**
 * The entry at `pos` has `seq`: the row's run grows, or a new one begins (the
 * old one joins the row's ended runs). Answers the RUN_PAGE ended runs that
 * leave the row as a page, when they do; the caller writes it with its batch.
 */
export function extendRun(row: GroupChat, pos: number, seq: number): Run[] | null {
  const run = row.run;
  if (run && run.pos + run.count === pos && run.seq + run.count === seq) {
    run.count += 1;
    return null;
  }
  let page: Run[] | null = null;
  if (run) {
    row.ended.push(run);
    if (row.ended.length >= RUN_PAGE) {
      page = row.ended;
      row.ended = [];
    }
  }
  row.run = { seq, chat: row.chat, pos, count: 1 };
  return page;
}

/** Runs not in a stored page nor in group_runs: in `rows` (stored or not) and in the `pages` not written yet (of `chat`, or all). */
export function runsInMemory(rows: readonly GroupChat[], pages: readonly Run[][], chat?: string): Run[] {
  const runs: Run[] = [];
  for (const row of rows) {
    runs.push(...row.ended);
    if (row.run) runs.push(row.run);
  }
  for (const page of pages) if (chat === undefined || page[0]?.chat === chat) runs.push(...page);
  return runs;
}

/** The seq that one of `runs` gives the entry at `pos`, or null if none covers it. */
export function seqInRuns(runs: readonly Run[], pos: number): number | null {
  for (const run of runs) {
    if (pos >= run.pos && pos < run.pos + run.count) return run.seq + (pos - run.pos);
  }
  return null;
}
