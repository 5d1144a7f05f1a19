// migrate(): versioned steps in an object's SQLite, run once each, a failed
// step undone whole, and a schema ahead of the code (a rollback) left alone.
// Runs in the SQLite of a scratch user object, emptied first.

import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { userStub } from "../../test/helpers";
import { tableNames, wipe } from "../../test/sqlite";
import { migrate, type SchemaStep } from "./schema";

const create =
  (name: string): SchemaStep =>
  (sql) =>
    sql.exec(`CREATE TABLE ${name} (x INTEGER)`);

let scratch = 0;
function inScratchStorage<R>(fn: (storage: DurableObjectStorage) => R): Promise<R> {
  scratch += 1;
  return runInDurableObject(userStub(`schema-scratch-${Date.now()}-${scratch}`), (_instance, state) => {
    wipe(state.storage.sql);
    return fn(state.storage);
  });
}

describe("migrate", () => {
  it("runs each step once, in order, and only the new ones later", async () => {
    await inScratchStorage((storage) => {
      const ran: string[] = [];
      const step =
        (name: string): SchemaStep =>
        (sql) => {
          ran.push(name);
          create(name)(sql);
        };
      expect(migrate(storage, [step("a"), step("b")])).toBe(2);
      expect(migrate(storage, [step("a"), step("b")])).toBe(2);
      expect(migrate(storage, [step("a"), step("b"), step("c")])).toBe(3);
      expect(ran).toEqual(["a", "b", "c"]);
      expect(tableNames(storage.sql)).toEqual(["_schema", "a", "b", "c"]);
    });
  });

  it("undoes a step that throws halfway, then runs it whole once fixed", async () => {
    await inScratchStorage((storage) => {
      const broken: SchemaStep = (sql) => {
        create("b1")(sql);
        throw new Error("bug in step 2");
      };
      expect(() => migrate(storage, [create("a"), broken])).toThrow("bug in step 2");
      expect(tableNames(storage.sql)).toEqual(["_schema", "a"]);
      expect(storage.sql.exec("SELECT version FROM _schema").one().version).toBe(1);

      const fixed: SchemaStep = (sql) => {
        create("b1")(sql);
        create("b2")(sql);
      };
      expect(migrate(storage, [create("a"), fixed])).toBe(2);
      expect(tableNames(storage.sql)).toEqual(["_schema", "a", "b1", "b2"]);
    });
  });

  it("leaves a schema that is ahead of the code (after a rollback) as it is", async () => {
    await inScratchStorage((storage) => {
      migrate(storage, [create("a"), create("b")]);
      expect(migrate(storage, [create("a")])).toBe(2);
      expect(storage.sql.exec("SELECT version FROM _schema").one().version).toBe(2);
      expect(tableNames(storage.sql)).toEqual(["_schema", "a", "b"]);
    });
  });
});
