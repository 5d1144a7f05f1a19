// A host that fails, for the tests of a guest's calls to its host (its
// sends, changes and reads: user/hosted-*.test.ts): a fault injector over the
// guest's real USERS namespace, as test/faulty-d1.ts is over D1.

import { runInDurableObject } from "cloudflare:test";
import type { UserParts } from "../objects/user/parts";
import type { UserObject } from "../objects/user-object";
import { userStub } from "./helpers";
import { partsOf } from "./hosted";

/** The host's calls a guest's object makes that a test can make fail. */
export type HostMethod = keyof Pick<UserObject, "hostedChange" | "hostedMessage" | "appendFromGuest">;

/**
 * The guest's object gets a host whose `method` (or every method `method`
 * accepts) throws before it reaches the host, or (`lose`) after the host
 * answered, the answer lost. Answers what puts the real namespace back.
 */
export async function hostFails(
  guestId: string,
  hostId: string,
  method: HostMethod | ((name: string) => boolean),
  lose: boolean,
): Promise<() => Promise<void>> {
  const fails = (p: string | symbol) =>
    typeof method === "function" ? typeof p === "string" && method(p) : p === method;
  const stub = userStub(guestId);
  let real: Env | undefined;
  await runInDurableObject(stub, (instance) => {
    const parts = partsOf(instance);
    real = parts.env;
    const users = real.USERS;
    const target = users.idFromName(hostId).toString();
    const faulty = {
      idFromName: (name: string) => users.idFromName(name),
      get: (id: DurableObjectId) => {
        const s = users.get(id);
        if (id.toString() !== target) return s;
        return new Proxy(s, {
          get: (t, p) => {
            const real = (t as unknown as Record<string | symbol, unknown>)[p];
            if (!fails(p)) return real;
            return async (...args: unknown[]) => {
              const call = t as unknown as Record<string | symbol, (...a: unknown[]) => Promise<unknown>>;
              if (lose) await call[p]?.(...args);
              throw new Error("Network connection lost.");
            };
          },
        });
      },
    };
    parts.env = { ...real, USERS: faulty as unknown as Env["USERS"] };
    readsOf(parts).env = parts.env;
  });
  return () =>
    runInDurableObject(stub, (instance) => {
      const parts = partsOf(instance);
      parts.env = real as Env;
      readsOf(parts).env = parts.env;
    });
}

/** The group reads keep the env they were made with (they read a hosted chat's log through it): swapped too. */
function readsOf(parts: UserParts): { env: Env } {
  return (parts.groupReads as unknown as { me: { env: Env } }).me;
}
