// Helpers for the tests of hosted one-to-one chats (user/hosted-append*.test.ts,
// docs/one-copy-per-chat.md): two users ordered by the host rule, what the
// host stored, and a guest's message as its object would hand it over.

import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import type { UserParts } from "../objects/user/parts";
import type { AuthAnswer, ChatId } from "../shared/protocol";
import type { GuestMessage } from "../shared/schemas/hosted";
import { clearAlarms } from "./groups";
import { connect, register, type TestSocket, userStub } from "./helpers";

/** Two new users: the host (its id sorts first) and the guest, and the chat as the host sees it. */
export async function hostAndGuest(): Promise<{
  host: AuthAnswer;
  guest: AuthAnswer;
  chat: `u:${string}`;
  stub: ReturnType<typeof userStub>;
}> {
  const x = await register();
  const y = await register();
  const [host, guest] = x.user.id < y.user.id ? [x, y] : [y, x];
  return { host, guest, chat: `u:${guest.user.id}`, stub: userStub(host.user.id) };
}

/** A guest's message with `clientId` (its text the clientId unless given). */
export function guestMessage(clientId: string, guestSeq: number, more: Partial<GuestMessage> = {}): GuestMessage {
  return { clientId, text: `text ${clientId}`, guestSeq, ...more };
}

export interface HostedRow {
  seq: number;
  id: string;
  sender: string;
  text: string;
  client_id: string | null;
  guest_seq: number | null;
  pos: number | null;
  [key: string]: SqlStorageValue;
}

/** The host's message rows, in seq order. */
export async function hostedRows(hostId: string): Promise<HostedRow[]> {
  return runInDurableObject(userStub(hostId), (_instance, state) =>
    state.storage.sql
      .exec<HostedRow>("SELECT seq, id, sender, text, client_id, guest_seq, pos FROM messages ORDER BY seq")
      .toArray(),
  );
}

export interface StoredChat {
  chat: string;
  last_id: string;
  unread: number;
  hosted_from: string | null;
  next_pos: number | null;
  [key: string]: SqlStorageValue;
}

/** The host's chat rows as stored, after those waiting in memory are written (`flush`), or as they are. */
export async function storedChats(hostId: string, flush = true): Promise<StoredChat[]> {
  return runInDurableObject(userStub(hostId), (instance, state) => {
    if (flush) partsOf(instance).flushChats();
    return state.storage.sql
      .exec<StoredChat>("SELECT chat, last_id, unread, hosted_from, next_pos FROM chats ORDER BY chat")
      .toArray();
  });
}

/** A user object's parts (private), for what a test must reach inside. */
export function partsOf(instance: unknown): UserParts {
  return (instance as { parts: UserParts }).parts;
}

export interface ChangeRow {
  seq: number;
  cid: string;
  kind: string;
  target: string;
  client_id: string | null;
  pos: number | null;
  guest: string | null;
  guest_client_id: string | null;
  [key: string]: SqlStorageValue;
}

/** The host's change rows, in seq order. */
export async function changeRows(hostId: string): Promise<ChangeRow[]> {
  return runInDurableObject(userStub(hostId), (_instance, state) =>
    state.storage.sql
      .exec<ChangeRow>(
        "SELECT seq, cid, kind, target, client_id, pos, guest, guest_client_id FROM changes ORDER BY seq",
      )
      .toArray(),
  );
}

/** Today's storage back into the shape of user schema version 21 (what the code before step 22 wrote). */
export function backTo21(sql: SqlStorage): void {
  backTo22(sql);
  sql.exec("DROP TABLE host_views");
  sql.exec("UPDATE _schema SET version = 21");
}

/**
 * Today's storage back into the shape of user schema version 22: a media's
 * grants a count per chat (`media_grants`) again, as many as its sends' rows.
 */
export function backTo22(sql: SqlStorage): void {
  sql.exec(`CREATE TABLE media_grants (
    media TEXT NOT NULL,
    chat TEXT NOT NULL,
    refs INTEGER NOT NULL,
    PRIMARY KEY (media, chat)
  ) WITHOUT ROWID`);
  sql.exec("INSERT INTO media_grants SELECT media, chat, count(*) FROM media_refs GROUP BY media, chat");
  sql.exec("DROP TABLE media_refs");
  sql.exec("UPDATE _schema SET version = 22");
}

/** Today's storage back into the shape of user schema version 19 (what the code before step 20 wrote). */
export function backTo19(sql: SqlStorage): void {
  backTo20(sql);
  sql.exec("DROP INDEX changes_in_log");
  sql.exec("DROP INDEX changes_by_guest_key");
  sql.exec("ALTER TABLE changes DROP COLUMN pos");
  sql.exec("ALTER TABLE changes DROP COLUMN guest");
  sql.exec("ALTER TABLE changes DROP COLUMN guest_client_id");
  sql.exec("UPDATE _schema SET version = 19");
}

/**
 * Today's storage back into the shape of user schema version 20: the retry
 * key a unique index on `messages` again, its table, triggers and position gone.
 */
export function backTo20(sql: SqlStorage): void {
  backTo21(sql);
  sql.exec("DROP TRIGGER messages_retry_insert");
  sql.exec("DROP TRIGGER messages_retry_delete");
  sql.exec("DROP TRIGGER messages_retry_update");
  sql.exec("DROP TABLE retry_keys");
  sql.exec("DELETE FROM meta WHERE key = 'retry_upto'");
  sql.exec("CREATE UNIQUE INDEX messages_by_client_id ON messages(client_id, sender) WHERE client_id IS NOT NULL");
  sql.exec("UPDATE _schema SET version = 20");
}

/** Today's storage back into the shape of user schema version 18 (what the code before step 19 wrote). */
export function backTo18(sql: SqlStorage): void {
  backTo19(sql);
  sql.exec("DROP INDEX messages_by_client_id");
  sql.exec("CREATE UNIQUE INDEX messages_by_client_id ON messages(client_id) WHERE client_id IS NOT NULL");
  sql.exec("ALTER TABLE messages DROP COLUMN guest_seq");
  sql.exec("ALTER TABLE messages DROP COLUMN pos");
  sql.exec("ALTER TABLE chats DROP COLUMN hosted_from");
  sql.exec("ALTER TABLE chats DROP COLUMN next_pos");
  sql.exec("UPDATE _schema SET version = 18");
}

/**
 * Puts a user's storage back into an older shape, as the code before a
 * schema step left it, and evicts the object so the next call opens it with
 * today's code. The live object first writes the chat rows it holds in
 * memory and is evicted: its write-behind timer (CHAT_FLUSH_MS) would
 * otherwise fire after the columns it writes were dropped, an unhandled
 * error in a slow run. The rewind runs in a fresh object that did nothing.
 */
export async function rewind(stub: ReturnType<typeof userStub>, back: (sql: SqlStorage) => void): Promise<void> {
  await runInDurableObject(stub, (instance) => partsOf(instance).flushChats());
  await evictDurableObject(stub);
  await runInDurableObject(stub, (_instance, state) => back(state.storage.sql));
  await evictDurableObject(stub);
}

/** Turns the guest's hosted send (HOSTED_GUEST_SEND, user/hosted-send.ts) on in this user's object, until it is evicted. */
export async function hostedSendOn(userId: string): Promise<void> {
  await hostedSendSet(userId, "on");
}

/**
 * Turns it off in this user's object, until it is evicted, whatever the run's
 * default: for tests of today's copies (a copy in each mailbox), which must
 * keep their meaning when the suite runs with HOSTED_GUEST_SEND=on.
 */
export async function hostedSendOff(userId: string): Promise<void> {
  await hostedSendSet(userId, "off");
}

async function hostedSendSet(userId: string, value: "on" | "off"): Promise<void> {
  await runInDurableObject(userStub(userId), (instance) => {
    const parts = partsOf(instance);
    parts.env = { ...parts.env, HOSTED_GUEST_SEND: value };
  });
}

export interface GuestRunRow {
  chat: string;
  upto: string;
  upto_pos: number;
  run_seq: number | null;
  run_pos: number | null;
  run_count: number | null;
  [key: string]: SqlStorageValue;
}

/** A user's stored `group_chats` rows (its groups' and its hosted chats' positions and open runs), as they are. */
export async function guestRuns(userId: string): Promise<GuestRunRow[]> {
  return runInDurableObject(userStub(userId), (_instance, state) =>
    state.storage.sql
      .exec<GuestRunRow>("SELECT chat, upto, upto_pos, run_seq, run_pos, run_count FROM group_chats ORDER BY chat")
      .toArray(),
  );
}

/**
 * A guest and its host with devices: the guest two, the host one, each
 * having spoken; the guest's send on, or pinned off (then the tests are of
 * today's copies, whatever the run's default); the chat as the guest names it.
 */
export async function hostedDevices(on = true) {
  const { host, guest } = await hostAndGuest();
  await (on ? hostedSendOn : hostedSendOff)(guest.user.id);
  const chat: ChatId = `u:${host.user.id}`;
  const g1 = await connect(guest.token);
  const g2 = await connect(guest.token);
  const h = await connect(host.token);
  for (const s of [g1, g2, h]) await s.speak();
  const end = async (...more: TestSocket[]) => {
    for (const s of [g1, g2, h, ...more]) s.close();
    await clearAlarms([], [host.user.id, guest.user.id]);
  };
  return { host, guest, chat, g1, g2, h, end };
}
