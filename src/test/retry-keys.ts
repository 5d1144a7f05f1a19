// Helpers for the tests of the retry key's table (objects/user/retry-keys.ts):
// what the table holds, its position, and a host filled with guest messages.

import { runInDurableObject } from "cloudflare:test";
import type { HostedAnswer } from "../objects/user/hosted-append";
import { RETRY_UPTO_KEY } from "../objects/user/retry-keys";
import { userStub } from "./helpers";
import { guestMessage } from "./hosted";

export interface KeyRow {
  client_id: string;
  sender: string;
  seq: number;
  [key: string]: SqlStorageValue;
}

/** The table's keys in seq order, and its position (null: no meta row). */
export async function retryKeys(userId: string): Promise<{ keys: KeyRow[]; upto: number | null }> {
  return runInDurableObject(userStub(userId), (_instance, state) => {
    const sql = state.storage.sql;
    // The sender is the row's (the table keeps none): a key whose row is gone shows none.
    const keys = sql
      .exec<KeyRow>(
        `SELECT k.client_id, coalesce(m.sender, '') AS sender, k.seq
           FROM retry_keys k LEFT JOIN messages m ON m.seq = k.seq ORDER BY k.seq`,
      )
      .toArray();
    const upto = sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = ?", RETRY_UPTO_KEY).toArray()[0];
    return { keys, upto: upto === undefined ? null : Number(upto.value) };
  });
}

/** `count` guest messages `g1`, `g2`, ... at the host (through its RPC, as the guest's object calls it). */
export async function appendMany(hostId: string, guestId: string, count: number, from = 1): Promise<HostedAnswer[]> {
  const stub = userStub(hostId);
  const answers: HostedAnswer[] = [];
  for (let i = from; i < from + count; i++) {
    const answer = await stub.appendFromGuest(guestId, guestMessage(`g${i}`, i));
    if (!answer.ok) throw new Error(`g${i}: ${answer.error.code}`);
    answers.push(answer.value);
  }
  return answers;
}
