// The user's presence as the user object's hooks see it: sockets arriving,
// speaking and going, the sweep, the watched side of subscriptions and the
// privacy setting; the watcher side (watcher.ts) and typing (typing.ts) hang
// off it.
//
// Subscriptions: the watcher's object asks the watched user's object to
// `watch` (RPC), which records the watcher with an expiry and answers the
// current view; at every change the watched object pushes a new view to each
// watcher's object (`presenceChanged`), which sends it to the devices that
// subscribed. While such a device lives, its object renews the subscription
// from the sweep alarm.

import { PRESENCE_SUBSCRIPTION_TTL_MS, UNWATCHED_SWEEP_TIMEOUTS } from "../../shared/limits";
import type { ChatId, LastSeenVisibility, Presence } from "../../shared/protocol";
import { userDb } from "../../shared/shards";
import type { Meta } from "../storage/meta";
import {
  currentPresence,
  dropSocket,
  freshSockets,
  HIDDEN,
  heardAt,
  heardGranularity,
  liveSockets,
  markHeard,
  type PresenceView,
  socketTimeout,
  visibleTo,
} from "./presence";
import { info } from "./sockets";
import { Watchers } from "./subscriptions";
import { sweep } from "./sweep";
import { TypingRelay } from "./typing";
import { Visibility } from "./visibility";
import { inBatches, PresenceWatcher, type WatchAnswer } from "./watcher";
import { Watching } from "./watching";

/** What a user object asks of another one (by RPC), or of itself. */
export interface PresencePeer {
  watch(watcher: string): Promise<WatchAnswer>;
  presenceChanged(user: string, view: PresenceView): Promise<boolean>;
  relayTyping(chat: ChatId, from: string): Promise<{ online: boolean }>;
}

export interface PresenceDeps {
  ctx: DurableObjectState;
  env: Env;
  userId: string;
  meta: Meta;
  isContact(userId: string): boolean;
  /** True if this user blocked `viewer`: it sees no presence at all (see ./blocks.ts). */
  hidesFrom(viewer: string): boolean;
  userExists(userId: string): Promise<boolean>;
  peer(userId: string): PresencePeer;
  /** Asks the shared alarm to fire no later than `time`. */
  wakeBy(time: number): void;
  /** The user went offline: release the alarm unless something else needs it. */
  idle(): void;
}

const LAST_SEEN = "last_seen";

export class PresenceHub {
  readonly watcher: PresenceWatcher;
  readonly typing: TypingRelay;
  private readonly timeout: number;
  /** How far apart the sweeps are while nobody watches (see UNWATCHED_SWEEP_TIMEOUTS). */
  private readonly unwatchedSweep: number;
  private readonly granularity: number;
  private readonly watchers: Watchers;
  private readonly watching: Watching;
  private readonly visibility: Visibility;
  /** The stamp of the last view handed out: strictly increasing, so a watcher can order them. */
  private lastStamp = 0;

  constructor(private readonly deps: PresenceDeps) {
    const { ctx, env, userId } = deps;
    this.timeout = socketTimeout(env);
    this.unwatchedSweep = this.timeout * UNWATCHED_SWEEP_TIMEOUTS;
    this.granularity = heardGranularity(this.timeout);
    this.watchers = new Watchers(ctx.storage.sql);
    this.watching = new Watching(ctx.storage.sql);
    this.visibility = new Visibility(userDb(env, userId), userId);
    // Whom this user blocked, it does not watch either (as in WhatsApp): their answers arrive hidden.
    this.watcher = new PresenceWatcher(
      ctx,
      env,
      this.watching,
      async (user) => {
        const answer = await deps.peer(user).watch(userId);
        return deps.hidesFrom(user) ? { ...answer, view: { ...HIDDEN, at: answer.view.at } } : answer;
      },
      deps.wakeBy,
    );
    this.typing = new TypingRelay({
      ctx,
      userId,
      userExists: deps.userExists,
      relay: (to, chat, from) => deps.peer(to).relayTyping(chat, from),
      relayToGroup: (groupId, from) => env.GROUPS.get(env.GROUPS.idFromName(groupId)).typing(from),
    });
  }

  // ------------------------------------------------------------ this user's sockets

  /** A socket was accepted (its attachment is set). */
  connected(ws: WebSocket, now = Date.now()): void {
    this.deps.wakeBy(now + (this.watched(now) ? this.timeout : this.unwatchedSweep));
    if (freshSockets(liveSockets(this.deps.ctx, ws), now, this.timeout).length > 0) return; // already online
    this.watcher.forgetAll();
    this.deps.meta.set(LAST_SEEN, now);
    void this.announce();
  }

  /** Any frame from a device is a sign of life. */
  heard(ws: WebSocket, now = Date.now()): void {
    markHeard(ws, now, this.granularity);
  }

  /**
   * webSocketClose (with its code) or webSocketError (null). A close the
   * device sent means it was there just now; an abnormal end (1006, an error)
   * only that it was there when last heard from.
   */
  async gone(ws: WebSocket, code: number | null): Promise<void> {
    const socket = info(ws);
    this.watcher.forget(socket);
    if (!socket || socket.goneAt !== undefined) return; // dropped by the server, and counted then
    const now = Date.now();
    const last = code === null || code === 1006 ? heardAt(this.deps.ctx, ws, socket) : now;
    await this.departed(last, now, ws);
  }

  /** The server closes sockets (logout): they stop counting at once (and close at once, or at their first frame). */
  async drop(sockets: WebSocket[], code: number, reason: string, now = Date.now()): Promise<void> {
    const dropped = liveSockets(this.deps.ctx).filter((s) => sockets.includes(s.ws));
    if (dropped.length === 0) return;
    for (const socket of dropped) {
      dropSocket(socket, now, code, reason, true);
      this.watcher.forget(socket.info);
    }
    await this.departed(now, now);
  }

  /**
   * The alarm's part: drop silent sockets, keep sweeping while any remain, renew
   * subscriptions. While someone watches, the next sweep is at the next
   * deadline, so that watchers learn of a silent device within the timeout;
   * while nobody does, it is UNWATCHED_SWEEP_TIMEOUTS timeouts away, and the
   * object hibernates and leaves memory in between (answers computed meanwhile
   * count silent sockets as gone: see currentPresence).
   */
  async sweep(now = Date.now()): Promise<void> {
    const live = liveSockets(this.deps.ctx);
    if (live.length === 0) return; // offline: presence asks for no alarm
    const { dropped, remaining, nextAt } = sweep(live, now, this.timeout);
    for (const socket of dropped) this.watcher.forget(socket.info);
    if (dropped.length > 0) await this.departed(Math.max(...dropped.map((s) => s.heard)), now);
    if (remaining.length === 0 || nextAt === null) return;
    // Kept durable as we go, so that a crash loses at most one lazy sweep's worth of lastSeen;
    // not at every sweep of a watched user, which would be a row a minute while online.
    const latest = Math.max(...remaining.map((s) => s.heard));
    if (latest - this.deps.meta.number(LAST_SEEN, 0) >= this.unwatchedSweep) this.recordSeen(latest);
    this.deps.wakeBy(this.watched(now) ? Math.max(nextAt, now + 1) : now + this.unwatchedSweep);
    const renewAt = await this.watcher.renew(now, remaining);
    if (renewAt !== null) this.deps.wakeBy(renewAt);
  }

  /** Devices went, the last heard from at `lastHeard`; offline if none remain. */
  private async departed(lastHeard: number, now: number, closing?: WebSocket): Promise<void> {
    this.recordSeen(Math.min(now, lastHeard));
    if (freshSockets(liveSockets(this.deps.ctx, closing), now, this.timeout).length > 0) return;
    this.deps.idle();
    await this.announce();
  }

  /** Whether any watcher's subscription is live: then offline must be noticed within the timeout. */
  private watched(now: number): boolean {
    return this.watchers.active(now).length > 0;
  }

  private recordSeen(time: number): void {
    if (time > this.deps.meta.number(LAST_SEEN, 0)) this.deps.meta.set(LAST_SEEN, time);
  }

  private current(): Presence {
    const stored = this.deps.meta.number(LAST_SEEN, 0);
    return currentPresence(liveSockets(this.deps.ctx), stored > 0 ? stored : null, Date.now(), this.timeout);
  }

  // ------------------------------------------------------------ the watched side

  /** The user's presence as `viewer` may see it. */
  async viewFor(viewer: string): Promise<PresenceView> {
    const visibility = await this.visibility.get();
    return this.stamp(viewer, this.current(), visibility);
  }

  private stamp(viewer: string, presence: Presence, visibility: LastSeenVisibility): PresenceView {
    this.lastStamp = Math.max(Date.now(), this.lastStamp + 1);
    const shown =
      !this.deps.hidesFrom(viewer) && visibleTo(viewer, this.deps.userId, visibility, (id) => this.deps.isContact(id))
        ? presence
        : HIDDEN;
    return { ...shown, at: this.lastStamp };
  }

  /** RPC from a watcher's object: records (or renews) the subscription and answers the current view. */
  async watch(watcher: string, now = Date.now()): Promise<WatchAnswer> {
    const expiresAt = this.watchers.add(watcher, now, PRESENCE_SUBSCRIPTION_TTL_MS);
    // Watched now: the sweep comes back to each deadline, not lazily.
    const deadlines = liveSockets(this.deps.ctx).map((s) => s.heard + this.timeout);
    if (deadlines.length > 0) this.deps.wakeBy(Math.max(now + 1, Math.min(...deadlines)));
    return { view: await this.viewFor(watcher), expiresAt };
  }

  /** A block or unblock changed what `viewer` may see: if it watches, it is told at once. */
  async refreshFor(viewer: string): Promise<void> {
    if (!this.watchers.active(Date.now()).includes(viewer)) return;
    const view = this.stamp(viewer, this.current(), await this.visibility.get());
    try {
      await this.deps.peer(viewer).presenceChanged(this.deps.userId, view);
    } catch (err) {
      console.warn(JSON.stringify({ event: "presence_push_failed", watcher: viewer, error: String(err) }));
    }
  }

  /** PATCH /api/me changed the setting: watchers see the change at once. */
  async setVisibility(value: LastSeenVisibility): Promise<void> {
    const before = this.visibility.known;
    this.visibility.set(value);
    if (before !== value) await this.announce();
  }

  /** Pushes the current view to every watcher; a watcher no longer interested is forgotten. Never throws. */
  private async announce(): Promise<void> {
    try {
      const watchers = this.watchers.active(Date.now());
      if (watchers.length === 0) return;
      const visibility = await this.visibility.get();
      const presence = this.current();
      await inBatches(watchers, async (watcher) => {
        const view = this.stamp(watcher, presence, visibility);
        try {
          if (!(await this.deps.peer(watcher).presenceChanged(this.deps.userId, view))) this.watchers.remove(watcher);
        } catch (err) {
          console.warn(JSON.stringify({ event: "presence_push_failed", watcher, error: String(err) }));
        }
      });
    } catch (err) {
      console.error(JSON.stringify({ event: "presence_announce_failed", error: String(err) }));
    }
  }

  /** Counts for tests and operators. */
  stats(): { watchers: number; watching: number; lastSeen: number | null } {
    const stored = this.deps.meta.number(LAST_SEEN, 0);
    return { watchers: this.watchers.count(), watching: this.watching.count(), lastSeen: stored > 0 ? stored : null };
  }
}
