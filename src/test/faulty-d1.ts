// Fault injection for D1: the real local database, except that statements the
// test names fail as they do in an outage ("D1_ERROR: Network connection
// lost."). `before` fails without touching the database (the connection
// dropped before the query ran); `after` runs it and then fails (it committed,
// the answer was lost). A batch fails as a whole, as D1 runs it in one
// transaction. Only the calls of whoever is handed `db` go through it: the
// Worker's (see with-env.ts) or one object's (swapped into its env). `message`
// changes what the failure says, for an error that is not an outage.

export type FaultMode = "before" | "after";

export const OUTAGE_MESSAGE = "D1_ERROR: Network connection lost.";

export interface FaultyD1 {
  db: D1Database;
  /** Statements (or batches) that failed so far. */
  failures: number;
}

export function faultyD1(
  real: D1Database,
  fails: (sql: string) => boolean,
  mode: FaultMode = "before",
  message = OUTAGE_MESSAGE,
): FaultyD1 {
  const state: FaultyD1 = { db: undefined as unknown as D1Database, failures: 0 };
  const sqlOf = new WeakMap<D1PreparedStatement, string>();

  async function guard<T>(sqls: string[], run: () => Promise<T>): Promise<T> {
    if (!sqls.some(fails)) return run();
    state.failures += 1;
    if (mode === "after") await run();
    throw new Error(message);
  }

  function wrap(statement: D1PreparedStatement, sql: string): D1PreparedStatement {
    const wrapped = {
      bind: (...values: unknown[]) => wrap(statement.bind(...values), sql),
      first: (column?: string) => guard([sql], () => (column ? statement.first(column) : statement.first())),
      run: () => guard([sql], () => statement.run()),
      all: () => guard([sql], () => statement.all()),
      raw: () => guard([sql], () => statement.raw()),
      real: statement,
    } as unknown as D1PreparedStatement;
    sqlOf.set(wrapped, sql);
    return wrapped;
  }

  const db = {
    prepare: (sql: string) => wrap(real.prepare(sql), sql),
    batch: (statements: D1PreparedStatement[]) =>
      guard(
        statements.map((s) => sqlOf.get(s) ?? ""),
        () => real.batch(statements.map((s) => (s as unknown as { real: D1PreparedStatement }).real)),
      ),
    exec: (sql: string) => guard([sql], () => real.exec(sql)),
    withSession: () => db,
    dump: () => real.dump(),
  };
  state.db = db as unknown as D1Database;
  return state;
}
