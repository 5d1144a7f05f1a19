// Group commit: a job runs at once when nothing is being committed; jobs that
// arrive during a commit run together after it, in arrival order; a job that
// throws fails alone.

import { describe, expect, it } from "vitest";
import { WriteBatch } from "./write-batch";

/** A commit the test finishes by hand. */
function manualCommits() {
  const pending: (() => void)[] = [];
  return {
    committed: () => new Promise<void>((resolve) => pending.push(resolve)),
    finish: () => pending.shift()?.(),
    get waiting() {
      return pending.length;
    },
  };
}

describe("WriteBatch", () => {
  it("runs a job at once when idle, and batches the jobs that arrive during its commit", async () => {
    const commits = manualCommits();
    const batch = new WriteBatch(commits.committed);
    const ran: string[] = [];
    const first = batch.run(() => ran.push("a"));
    expect(ran).toEqual(["a"]); // synchronously: no delay when idle
    expect(commits.waiting).toBe(1);
    const later = [batch.run(() => ran.push("b")), batch.run(() => ran.push("c"))];
    await first;
    expect(ran).toEqual(["a"]); // b and c wait for a's commit
    commits.finish();
    await Promise.all(later);
    expect(ran).toEqual(["a", "b", "c"]);
    expect(commits.waiting).toBe(1); // b and c share one commit
    commits.finish();
  });

  it("rejects only the job that throws; the rest of its batch still runs", async () => {
    const commits = manualCommits();
    const batch = new WriteBatch(commits.committed);
    const ran: string[] = [];
    const first = batch.run(() => ran.push("a"));
    const bad = batch.run(() => {
      throw new Error("boom");
    });
    const good = batch.run(() => ran.push("c"));
    await first;
    commits.finish();
    await expect(bad).rejects.toThrow("boom");
    await good;
    expect(ran).toEqual(["a", "c"]);
    commits.finish();
  });

  it("skips the commit and the deferred writes of a batch that wrote nothing; the next that writes commits", async () => {
    const commits = manualCommits();
    let rows = 0;
    let deferred = 0;
    const batch = new WriteBatch(
      commits.committed,
      () => {
        deferred += 1;
      },
      () => rows,
    );
    const ran: string[] = [];
    expect(await batch.run(() => ran.push("read"))).toBe(1);
    expect(commits.waiting).toBe(0); // nothing written: nothing to wait for
    expect(deferred).toBe(0);
    const writing = batch.run(() => {
      rows += 1;
      ran.push("write");
    });
    expect(commits.waiting).toBe(1);
    expect(deferred).toBe(1);
    const after = batch.run(() => ran.push("after"));
    await writing;
    expect(ran).toEqual(["read", "write"]); // still behind the write's commit
    commits.finish();
    await after;
    expect(ran).toEqual(["read", "write", "after"]);
    expect(commits.waiting).toBe(0);
  });

  it("takes a job's word that it wrote nothing without counting changes; a job that does not tell is counted", async () => {
    const commits = manualCommits();
    let counted = 0;
    const batch = new WriteBatch(
      commits.committed,
      () => {},
      () => {
        counted += 1;
        return 0;
      },
    );
    // Every job of the batch tells: no change count, and nothing written means no commit.
    expect(
      await batch.run(
        () => "quiet",
        () => false,
      ),
    ).toBe("quiet");
    expect(counted).toBe(0);
    expect(commits.waiting).toBe(0);
    // One says it wrote: the batch commits, whatever the change count says.
    const said = batch.run(
      () => "wrote",
      () => true,
    );
    expect(commits.waiting).toBe(1);
    expect(counted).toBe(0);
    commits.finish();
    await said;
    // A job that does not tell: the count decides (unchanged here, so no commit).
    await batch.run(() => "silent");
    expect(counted).toBe(2);
    expect(commits.waiting).toBe(0);
    // A telling job that throws may have written: its batch commits.
    const bad = batch.run(
      () => {
        throw new Error("boom");
      },
      () => false,
    );
    await expect(bad).rejects.toThrow("boom");
    expect(commits.waiting).toBe(1);
    commits.finish();
  });
});
