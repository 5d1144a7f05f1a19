// Web Push for closed tabs (issue 18, part 4): the user's push subscriptions,
// one row per endpoint (user schema step 10, PUSH_TABLE), and the pushes sent
// when a message from someone else arrives while no device of the user is
// connected and its chat is not muted. Encrypted (RFC 8291, aes128gcm) and
// signed (VAPID, RFC 8292) by @block65/webcrypto-web-push with the keys in
// VAPID_PUBLIC_KEY / VAPID_PRIVATE_KEY; without them nothing is pushed. An
// endpoint the push service calls gone (404, 410) is forgotten, and so are
// the subscriptions of a session that is logged out.

import { buildPushPayload, type VapidKeys } from "@block65/webcrypto-web-push";
import { PUSH_SUBSCRIPTIONS_MAX } from "../../shared/limits";
import { previewText } from "../../shared/media-label";
import type { ChatId, Message } from "../../shared/protocol";
import type { PushSubscriptionBody } from "../../shared/push";
import { userDb } from "../../shared/shards";
import type { ChatMutes } from "./mutes";

export const PUSH_TABLE =
  "CREATE TABLE push_subscriptions (endpoint TEXT PRIMARY KEY, p256dh TEXT NOT NULL, auth TEXT NOT NULL, session TEXT NOT NULL, created INTEGER NOT NULL) WITHOUT ROWID";

/** What the service worker gets (JSON), and shows as a notification. */
export interface PushNote {
  chat: ChatId;
  id: string;
  from: string;
  /** The sender's display name, when it could be read. */
  name?: string;
  text: string;
  ts: number;
  /** On a reaction to one of the user's own messages: the emoji (`text` says who reacted to what). */
  reaction?: string;
}

const TEXT_MAX = 200;
const TTL_SECONDS = 24 * 3600;

export class PushSubscriptions {
  constructor(private readonly sql: SqlStorage) {}

  /**
   * Adds or refreshes one, for the session (device) that sent it; past
   * PUSH_SUBSCRIPTIONS_MAX the oldest goes.
   */
  add(sub: PushSubscriptionBody, session: string, now: number): void {
    this.sql.exec(
      `INSERT INTO push_subscriptions (endpoint, p256dh, auth, session, created) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (endpoint) DO UPDATE SET p256dh = excluded.p256dh, auth = excluded.auth,
         session = excluded.session, created = excluded.created`,
      sub.endpoint,
      sub.p256dh,
      sub.auth,
      session,
      now,
    );
    this.sql.exec(
      `DELETE FROM push_subscriptions WHERE endpoint NOT IN
       (SELECT endpoint FROM push_subscriptions ORDER BY created DESC, endpoint LIMIT ?)`,
      PUSH_SUBSCRIPTIONS_MAX,
    );
  }

  remove(endpoint: string): void {
    this.sql.exec("DELETE FROM push_subscriptions WHERE endpoint = ?", endpoint);
  }

  /** A session logged out (here, from another device, or the oldest past the limit): its browser gets no more. */
  removeSession(session: string): void {
    this.sql.exec("DELETE FROM push_subscriptions WHERE session = ?", session);
  }

  all(): PushSubscriptionBody[] {
    return this.sql
      .exec<{ endpoint: string; p256dh: string; auth: string }>("SELECT endpoint, p256dh, auth FROM push_subscriptions")
      .toArray()
      .map((r) => ({ endpoint: r.endpoint, p256dh: r.p256dh, auth: r.auth }));
  }

  count(): number {
    return this.sql.exec<{ n: number }>("SELECT count(*) AS n FROM push_subscriptions").one().n;
  }
}

export function vapidKeys(env: Env): VapidKeys | null {
  if (!env.VAPID_PUBLIC_KEY || !env.VAPID_PRIVATE_KEY) return null;
  return {
    subject: env.VAPID_SUBJECT || "mailto:admin@edge-chat.invalid",
    publicKey: env.VAPID_PUBLIC_KEY,
    privateKey: env.VAPID_PRIVATE_KEY,
  };
}

/**
 * Sends one push per subscription for the newest message of each chat.
 * Outside production an http loopback endpoint (the tests' receiver) is
 * signed as its https twin, which the library insists on, and posted as is.
 */
export async function pushAll(
  env: Env,
  subs: PushSubscriptions,
  notes: PushNote[],
  nameOf: (userId: string) => Promise<string | undefined>,
): Promise<void> {
  const vapid = vapidKeys(env);
  if (!vapid || notes.length === 0) return;
  const targets = subs.all();
  if (targets.length === 0) return;
  const newest = new Map<ChatId, PushNote>();
  for (const note of notes) newest.set(note.chat, note);
  for (const note of newest.values()) {
    const name = await nameOf(note.from).catch(() => undefined);
    const data = { ...note, text: note.text.slice(0, TEXT_MAX), ...(name ? { name } : {}) };
    await Promise.all(targets.map((target) => pushOne(env, subs, vapid, target, data)));
  }
}

async function pushOne(
  env: Env,
  subs: PushSubscriptions,
  vapid: VapidKeys,
  target: PushSubscriptionBody,
  data: PushNote,
): Promise<void> {
  const url = new URL(target.endpoint);
  const signedAs =
    url.protocol === "http:" && env.ENVIRONMENT !== "production" ? `https:${url.href.slice(5)}` : url.href;
  try {
    const payload = await buildPushPayload(
      { data: { ...data }, options: { ttl: TTL_SECONDS, topic: topicOf(data.chat), urgency: "high" } },
      { endpoint: signedAs, expirationTime: null, keys: { p256dh: target.p256dh, auth: target.auth } },
      vapid,
    );
    const res = await fetch(target.endpoint, payload);
    await res.body?.cancel();
    if (res.status === 404 || res.status === 410) subs.remove(target.endpoint);
    else if (!res.ok) console.warn(JSON.stringify({ event: "push_refused", status: res.status }));
  } catch (err) {
    console.warn(JSON.stringify({ event: "push_failed", error: String(err) }));
  }
}

/** A push's Topic (RFC 8030 §5.4): one per chat, so a newer push replaces an undelivered older one. */
function topicOf(chat: ChatId): string {
  return chat.replace(/[^A-Za-z0-9_-]/g, "_").slice(0, 32);
}

export interface PushOwner {
  env: Env;
  userId: string;
  subs: PushSubscriptions;
  mutes: ChatMutes;
  ctx: DurableObjectState;
}

/** A reaction someone else made to one of the user's own messages. */
export interface ReactionNews {
  chat: ChatId;
  from: string;
  emoji: string;
  message: Omit<Message, "seq">;
}

/** The push for a reaction: the emoji, and the reacted message's own words as its body says. */
export function reactionNote(news: ReactionNews, ts: number): PushNote {
  const excerpt = previewText(news.message).slice(0, 80);
  return {
    chat: news.chat,
    id: news.message.id,
    from: news.from,
    text: `Reacted ${news.emoji} to "${excerpt}"`,
    ts,
    reaction: news.emoji,
  };
}

/**
 * Called when messages or reactions reached the user's object and no device
 * of the user is connected: a push for messages from others, and for others'
 * reactions to the user's own messages, in chats not muted, in the background
 * (the delivery's answer does not wait for it).
 */
export function pushOffline(owner: PushOwner, messages: Omit<Message, "seq">[], reactions: ReactionNews[] = []): void {
  const now = Date.now();
  const notes: PushNote[] = [
    ...messages
      .filter((m) => m.from !== owner.userId && !m.system)
      .map((m) => ({ chat: m.chat, id: m.id, from: m.from, text: previewText(m), ts: m.ts })),
    ...reactions
      .filter((r) => r.from !== owner.userId && r.message.from === owner.userId && r.emoji !== "")
      .map((r) => reactionNote(r, now)),
  ].filter((note) => owner.mutes.get(note.chat, now) === null);
  if (notes.length === 0 || owner.subs.count() === 0) return;
  owner.ctx.waitUntil(
    pushAll(owner.env, owner.subs, notes, async (id) => {
      const row = await userDb(owner.env, id)
        .prepare("SELECT display_name FROM users WHERE id = ?")
        .bind(id)
        .first<{ display_name: string }>();
      return row?.display_name;
    }),
  );
}
