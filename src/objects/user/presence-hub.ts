// The user's presence as the user object's hooks see it: sockets arriving,
// speaking and going, the sweep, subscriptions in both directions, typing and
// the privacy setting. The parts live beside it (presence, sweep,
// subscriptions, watching, typing, visibility); this class ties them together.
//
// Subscriptions: the watcher's object asks the watched user's object to
// `watch` (RPC), which records the watcher with an expiry and answers the
// current view; at every change the watched object pushes a new view to each
// watcher's object (`presenceChanged`), which sends it to the devices that
// subscribed. While such a device lives, its object renews the subscription
// from the sweep alarm.

import { AppError } from "../../shared/errors";
import { randomId } from "../../shared/ids";
import { PRESENCE_SUBSCRIPTION_TTL_MS, SUBSCRIBE_MAX, TYPING_INTERVAL_MS } from "../../shared/limits";
import type { ChatId, LastSeenVisibility, Presence, ServerFrame } from "../../shared/protocol";
import { parseChat } from "../../shared/protocol";
import type { Meta } from "../storage/meta";
import {
  currentPresence,
  dropSocket,
  HIDDEN,
  heardAt,
  heardGranularity,
  type LiveSocket,
  liveSockets,
  markHeard,
  type PresenceView,
  socketTimeout,
  visibleTo,
} from "./presence";
import { attach, broadcast, info, type SocketInfo, send } from "./sockets";
import { Watchers } from "./subscriptions";
import { sweep } from "./sweep";
import { TypingThrottle } from "./typing";
import { Visibility } from "./visibility";
import { Watching } from "./watching";

/** The answer to `watch`: the current view for the watcher and until when the subscription holds. */
export interface WatchAnswer {
  view: PresenceView;
  expiresAt: number;
}

/** What a user object asks of another one (by RPC), or of itself. */
export interface PresencePeer {
  watch(watcher: string): Promise<WatchAnswer>;
  presenceChanged(user: string, view: PresenceView): Promise<boolean>;
  relayTyping(chat: ChatId, from: string): Promise<void>;
}

export interface PresenceDeps {
  ctx: DurableObjectState;
  env: Env;
  userId: string;
  meta: Meta;
  isContact(userId: string): boolean;
  userExists(userId: string): Promise<boolean>;
  peer(userId: string): PresencePeer;
  /** Asks the shared alarm to fire no later than `time`. */
  wakeBy(time: number): void;
  /** The user went offline: release the alarm unless something else needs it. */
  idle(): void;
}

/** RPCs in flight at once when a change fans out or a device subscribes to many users. */
const FANOUT = 50;
const LAST_SEEN = "last_seen";

export class PresenceHub {
  private readonly timeout: number;
  private readonly granularity: number;
  private readonly watchers: Watchers;
  private readonly watching: Watching;
  private readonly visibility: Visibility;
  private readonly typingThrottle = new TypingThrottle(TYPING_INTERVAL_MS);
  /** The stamp of the last view handed out: strictly increasing, so a watcher can order them. */
  private lastStamp = 0;

  constructor(private readonly deps: PresenceDeps) {
    this.timeout = socketTimeout(deps.env);
    this.granularity = heardGranularity(this.timeout);
    const sql = deps.ctx.storage.sql;
    this.watchers = new Watchers(sql);
    this.watching = new Watching(sql);
    this.visibility = new Visibility(deps.env.DB, deps.userId);
  }

  // ------------------------------------------------------------ this user's sockets

  /** A socket was accepted (its attachment is set). */
  connected(ws: WebSocket, now = Date.now()): void {
    this.deps.wakeBy(now + this.timeout);
    if (liveSockets(this.deps.ctx, ws).length > 0) return; // already online
    // Offline until now, so any `watching` rows belong to sockets that died unseen.
    this.watching.dropDead(new Set());
    this.deps.meta.set(LAST_SEEN, now);
    void this.announce();
  }

  /** Any frame from a device is a sign of life. */
  heard(ws: WebSocket, now = Date.now()): void {
    markHeard(ws, now, this.granularity);
  }

  /**
   * webSocketClose / webSocketError. A close the device sent means it was
   * there just now; an abnormal end (1006, an error) only that it was there
   * when last heard from.
   */
  async gone(ws: WebSocket, code: number | null): Promise<void> {
    const socket = info(ws);
    if (socket?.id) this.watching.dropSocket(socket.id);
    if (!socket || socket.goneAt !== undefined) return; // dropped by the server, and counted then
    const now = Date.now();
    const last = code === null || code === 1006 ? heardAt(this.deps.ctx, ws, socket) : now;
    await this.departed([last], now, ws);
  }

  /** The server closes sockets (logout): they stop counting at once. */
  async drop(sockets: WebSocket[], code: number, reason: string, now = Date.now()): Promise<void> {
    const dropped = liveSockets(this.deps.ctx).filter((s) => sockets.includes(s.ws));
    if (dropped.length === 0) return;
    for (const socket of dropped) {
      dropSocket(socket, now, code, reason);
      if (socket.info.id) this.watching.dropSocket(socket.info.id);
    }
    await this.departed([now], now);
  }

  /** The alarm's part: drop silent sockets, keep the sweep going while any remain, renew subscriptions. */
  async sweep(now = Date.now()): Promise<void> {
    const live = liveSockets(this.deps.ctx);
    if (live.length === 0) return; // offline: presence asks for no alarm
    const { dropped, remaining, nextAt } = sweep(live, now, this.timeout);
    for (const socket of dropped) if (socket.info.id) this.watching.dropSocket(socket.info.id);
    if (dropped.length > 0) {
      await this.departed(
        dropped.map((s) => s.heard),
        now,
      );
    }
    if (remaining.length === 0 || nextAt === null) return;
    // Kept durable as we go, so that a crash loses at most one sweep's worth of lastSeen.
    this.recordSeen(Math.max(...remaining.map((s) => s.heard)));
    this.deps.wakeBy(Math.max(nextAt, now + 1));
    await this.renew(now, remaining);
  }

  /** Some sockets went; offline if none remain. `lastHeard` are the departed devices' last signs of life. */
  private async departed(lastHeard: number[], now: number, closing?: WebSocket): Promise<void> {
    this.recordSeen(Math.min(now, Math.max(...lastHeard)));
    if (liveSockets(this.deps.ctx, closing).length > 0) return;
    this.deps.idle();
    await this.announce();
  }

  private recordSeen(time: number): void {
    if (time > this.storedLastSeen()) this.deps.meta.set(LAST_SEEN, time);
  }

  private storedLastSeen(): number {
    return this.deps.meta.number(LAST_SEEN, 0);
  }

  private current(): Presence {
    const stored = this.storedLastSeen();
    return currentPresence(liveSockets(this.deps.ctx), stored > 0 ? stored : null);
  }

  // ------------------------------------------------------------ the watched side

  /** The user's presence as `viewer` may see it. */
  async viewFor(viewer: string): Promise<PresenceView> {
    const visibility = await this.visibility.get();
    return this.stamp(viewer, this.current(), visibility);
  }

  private stamp(viewer: string, presence: Presence, visibility: LastSeenVisibility): PresenceView {
    this.lastStamp = Math.max(Date.now(), this.lastStamp + 1);
    const shown = visibleTo(viewer, this.deps.userId, visibility, (id) => this.deps.isContact(id)) ? presence : HIDDEN;
    return { ...shown, at: this.lastStamp };
  }

  /** RPC from a watcher's object: records (or renews) the subscription and answers the current view. */
  async watch(watcher: string, now = Date.now()): Promise<WatchAnswer> {
    const expiresAt = this.watchers.add(watcher, now, PRESENCE_SUBSCRIPTION_TTL_MS);
    return { view: await this.viewFor(watcher), expiresAt };
  }

  /** PATCH /api/me changed the setting: watchers see the change at once. */
  async setVisibility(value: LastSeenVisibility): Promise<void> {
    const before = this.visibility.known;
    this.visibility.set(value);
    if (before !== value) await this.announce();
  }

  /** Pushes the current view to every watcher; a watcher no longer interested is forgotten. */
  private async announce(): Promise<void> {
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
  }

  // ------------------------------------------------------------ the watcher side

  /** A `subscribe` frame: check every user exists, then watch each and answer this socket at once. */
  async subscribe(ws: WebSocket, users: string[], now = Date.now()): Promise<void> {
    const wanted = [...new Set(users)];
    const socket = this.socketId(ws);
    const fresh = wanted.filter((user) => !this.watching.has(user, socket)).length;
    if (this.watching.countFor(socket) + fresh > SUBSCRIBE_MAX) {
      throw new AppError("invalid_field", `a device may watch at most ${SUBSCRIBE_MAX} users`);
    }
    await this.checkUsersExist(wanted);
    // Recorded before asking, so that a change racing with the answer is not lost.
    for (const user of wanted) this.watching.add(user, socket, now + PRESENCE_SUBSCRIPTION_TTL_MS);
    await inBatches(wanted, async (user) => {
      try {
        const answer = await this.deps.peer(user).watch(this.deps.userId);
        this.watching.renewed(user, answer.expiresAt);
        this.deliver(user, answer.view, socket);
      } catch (err) {
        this.watching.remove(user, socket);
        console.warn(JSON.stringify({ event: "presence_watch_failed", user, error: String(err) }));
        send(ws, {
          type: "error",
          code: "unavailable",
          message: `presence of ${user} is unavailable; subscribe again`,
        });
      }
    });
  }

  /** RPC from a watched user's object; false when no device here watches that user any more. */
  presenceChanged(user: string, view: PresenceView): boolean {
    return this.deliver(user, view);
  }

  private deliver(user: string, view: PresenceView, force?: string): boolean {
    const sockets = this.socketsById();
    const { watchers, tell } = this.watching.offer(user, view, new Set(sockets.keys()), force);
    const frame: ServerFrame = { type: "presence", user, online: view.online, lastSeen: view.lastSeen };
    for (const id of tell) {
      const ws = sockets.get(id);
      if (ws) send(ws, frame);
    }
    return watchers > 0;
  }

  /** Renews the subscriptions of live sockets that expire within half their lifetime. */
  private async renew(now: number, live: LiveSocket[]): Promise<void> {
    const ids = new Set(live.flatMap((s) => (s.info.id ? [s.info.id] : [])));
    const due = this.watching.dueForRenewal(now + PRESENCE_SUBSCRIPTION_TTL_MS / 2, ids);
    await inBatches(due, async (user) => {
      try {
        const answer = await this.deps.peer(user).watch(this.deps.userId);
        this.watching.renewed(user, answer.expiresAt);
        this.deliver(user, answer.view);
      } catch (err) {
        console.warn(JSON.stringify({ event: "presence_renew_failed", user, error: String(err) }));
      }
    });
    const earliest = this.watching.earliestExpiry();
    if (earliest !== null) this.deps.wakeBy(Math.max(earliest - PRESENCE_SUBSCRIPTION_TTL_MS / 2, now + 1000));
  }

  private async checkUsersExist(users: string[]): Promise<void> {
    const rows = await this.deps.env.DB.prepare("SELECT id FROM users WHERE id IN (SELECT value FROM json_each(?))")
      .bind(JSON.stringify(users))
      .all<{ id: string }>();
    const found = new Set(rows.results.map((row) => row.id));
    const missing = users.filter((user) => !found.has(user));
    if (missing.length > 0) {
      const some = missing.slice(0, 5).join(", ") + (missing.length > 5 ? ", ..." : "");
      throw new AppError("unknown_user", `no such user: ${some}`);
    }
  }

  /** The socket's name in `watching`, given on first use. */
  private socketId(ws: WebSocket): string {
    const socket = info(ws) as SocketInfo;
    if (socket.id) return socket.id;
    const id = randomId();
    attach(ws, { ...socket, id });
    return id;
  }

  private socketsById(): Map<string, WebSocket> {
    const out = new Map<string, WebSocket>();
    for (const s of liveSockets(this.deps.ctx)) if (s.info.id) out.set(s.info.id, s.ws);
    return out;
  }

  // ------------------------------------------------------------ typing

  /** A `typing` frame: relayed to the other member's devices, at most once per chat per interval. */
  async typing(chat: ChatId, now = Date.now()): Promise<void> {
    const ref = parseChat(chat);
    // Groups relay through their GroupObject (see docs/protocol.md, Presence); not on this path yet.
    if (ref.kind === "group") throw new AppError("unknown_group", "no such group");
    if (ref.id === this.deps.userId) return; // nobody else to tell
    if (!(await this.deps.userExists(ref.id))) throw new AppError("unknown_user", "no such user");
    if (!this.typingThrottle.allow(chat, now)) return;
    try {
      await this.deps.peer(ref.id).relayTyping(`u:${this.deps.userId}`, this.deps.userId);
    } catch (err) {
      // Best effort: a lost typing indicator is not worth an error to the client.
      console.warn(JSON.stringify({ event: "typing_relay_failed", chat, error: String(err) }));
    }
  }

  /** RPC: someone is typing in `chat` (as this user sees it); tell this user's devices. */
  relayTyping(chat: ChatId, from: string): void {
    broadcast(
      liveSockets(this.deps.ctx).map((s) => s.ws),
      { type: "typing", chat, from },
    );
  }

  /** Counts for tests and operators. */
  stats(): { watchers: number; watching: number; lastSeen: number | null } {
    const stored = this.storedLastSeen();
    return { watchers: this.watchers.count(), watching: this.watching.count(), lastSeen: stored > 0 ? stored : null };
  }
}

async function inBatches<T>(items: T[], run: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += FANOUT) await Promise.all(items.slice(i, i + FANOUT).map(run));
}
