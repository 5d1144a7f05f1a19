// Counts what objects write, for the footprint tests (src/objects/footprint*.test.ts):
// SQLite rows written (billed per row, index entries included; an alarm set
// counts as one), by statement.

import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { connect, type TestSocket, userStub } from "./helpers";

/**
 * Counts every row written through any object's SQLite in this isolate (the
 * test's objects run here), and every alarm set, by wrapping the runtime's
 * own SqlStorage.exec and setAlarm; nothing else changes. Undone by stop().
 */
export class WriteMeter {
  private cursors: { query: string; cursor: SqlStorageCursor<Record<string, SqlStorageValue>> }[] = [];
  private alarms = 0;
  private undo: (() => void) | undefined;

  async start(anyObject: DurableObjectStub): Promise<void> {
    await runInDurableObject(anyObject, (_instance, state) => {
      const sqlProto = Object.getPrototypeOf(state.storage.sql) as SqlStorage;
      const storageProto = Object.getPrototypeOf(state.storage) as DurableObjectStorage;
      const exec = sqlProto.exec;
      const setAlarm = storageProto.setAlarm;
      const cursors = this.cursors;
      const count = () => {
        this.alarms += 1;
      };
      sqlProto.exec = function (this: SqlStorage, query: string, ...bindings: unknown[]) {
        const cursor = exec.call(this, query, ...bindings);
        cursors.push({ query, cursor });
        return cursor;
      } as typeof exec;
      storageProto.setAlarm = function (this: DurableObjectStorage, ...args: Parameters<typeof setAlarm>) {
        count();
        return setAlarm.apply(this, args);
      };
      this.undo = () => {
        sqlProto.exec = exec;
        storageProto.setAlarm = setAlarm;
      };
    });
  }

  stop(): void {
    this.undo?.();
  }

  /** Rows written since the last call (alarms included), then starts again from zero. */
  take(): number {
    return this.takeDetailed().total;
  }

  /** The same, with the rows of each kind of statement (its first words). */
  takeDetailed(): { total: number; byStatement: [string, number][] } {
    const by = new Map<string, number>();
    for (const { query, cursor } of this.cursors) {
      if (cursor.rowsWritten === 0) continue;
      const key = query.replace(/\s+/g, " ").trim().slice(0, 48);
      by.set(key, (by.get(key) ?? 0) + cursor.rowsWritten);
    }
    if (this.alarms > 0) by.set("setAlarm", this.alarms);
    const total = [...by.values()].reduce((n, x) => n + x, 0);
    this.cursors.length = 0;
    this.alarms = 0;
    return { total, byStatement: [...by.entries()].sort((x, y) => y[1] - x[1]) };
  }
}

/** Rows written, by statement, as WriteMeter.takeDetailed answers them. */
export type Written = ReturnType<WriteMeter["takeDetailed"]>;

/**
 * What every footprint test sets up: its sockets, each pinging while it
 * listens (the presence sweep of the workers tests drops a socket silent for
 * 2 s), and a WriteMeter. `rows` measures one piece of work; `end` undoes it all.
 */
export class MeteredSockets {
  readonly sockets: TestSocket[] = [];
  private readonly meter = new WriteMeter();
  private readonly keepAlive: ReturnType<typeof setInterval>;

  constructor(pingMs = 500) {
    this.keepAlive = setInterval(() => {
      for (const s of this.sockets) if (!s.closed) s.send("ping");
    }, pingMs);
  }

  /** A socket for each token, one after the other, each pinging from the moment it is open. */
  async connect<T extends string[]>(...tokens: T): Promise<{ [K in keyof T]: TestSocket }> {
    const opened: TestSocket[] = [];
    for (const token of tokens) {
      const socket = await connect(token);
      this.sockets.push(socket);
      opened.push(socket);
    }
    return opened as { [K in keyof T]: TestSocket };
  }

  /** Starts counting (WriteMeter.start: any object of the test will do). */
  async start(anyObject: DurableObjectStub): Promise<void> {
    await this.meter.start(anyObject);
  }

  /**
   * The rows written while `work` runs and then while the alarms of
   * `drainUsers` deliver what it left in their outboxes (`drain`); nothing
   * written before counts.
   */
  async rows(work: () => Promise<unknown>, drainUsers: string[] = []): Promise<Written> {
    this.meter.take();
    await work();
    await drain(drainUsers);
    return this.meter.takeDetailed();
  }

  /** Stops the meter and the pings, and closes the sockets. */
  end(): void {
    this.meter.stop();
    clearInterval(this.keepAlive);
    for (const s of this.sockets) s.close();
  }
}

export function perItem(detail: { byStatement: [string, number][] }, count: number): string {
  return detail.byStatement.map(([q, n]) => `  ${(n / count).toFixed(1).padStart(5)}  ${q}`).join("\n");
}

export async function databaseSize(stub: DurableObjectStub): Promise<number> {
  return runInDurableObject(stub, (_instance, state) => state.storage.sql.databaseSize);
}

export async function drain(userIds: string[]): Promise<void> {
  for (const id of userIds) {
    const stub = userStub(id);
    for (let i = 0; i < 5 && (await stub.stats()).outbox > 0; i++) await runDurableObjectAlarm(stub);
    await runDurableObjectAlarm(stub);
  }
}
