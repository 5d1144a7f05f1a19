// The watcher side of presence subscriptions: a device's `subscribe` frame,
// the pushes that arrive from watched users' objects, and the renewals that
// keep a subscription alive on the watched side while the device stays.

import { AppError } from "../../shared/errors";
import { randomId } from "../../shared/ids";
import { PRESENCE_SUBSCRIPTION_TTL_MS, SUBSCRIBE_MAX } from "../../shared/limits";
import type { ServerFrame } from "../../shared/protocol";
import { byShard } from "../../shared/shards";
import { type LiveSocket, liveSockets, type PresenceView } from "./presence";
import { attach, info, type SocketInfo, send } from "./sockets";
import type { Watching } from "./watching";

/** The answer to `watch`: the current view for the watcher and until when the subscription holds. */
export interface WatchAnswer {
  view: PresenceView;
  expiresAt: number;
}

/** RPCs in flight at once when a device subscribes to many users or a change fans out. */
const FANOUT = 50;

export class PresenceWatcher {
  constructor(
    private readonly ctx: DurableObjectState,
    private readonly env: Env,
    private readonly watching: Watching,
    private readonly watch: (user: string) => Promise<WatchAnswer>,
    /** Asks for the sweep (which renews) by then: an unwatched user's sweep is lazy otherwise. */
    private readonly renewBy: (time: number) => void,
  ) {}

  /**
   * A `subscribe` frame: refused whole if it is too many or names unknown
   * users; else each user is answered at once. Users this socket already
   * watches are answered from what it was last told (no RPC, no D1), so a
   * repeated frame costs little.
   */
  async subscribe(ws: WebSocket, users: string[], now = Date.now()): Promise<void> {
    const wanted = [...new Set(users)];
    const socket = this.socketId(ws);
    const fresh = wanted.filter((user) => !this.watching.has(user, socket));
    if (this.watching.countFor(socket) + fresh.length > SUBSCRIBE_MAX) {
      throw new AppError("invalid_field", `a device may watch at most ${SUBSCRIBE_MAX} users`);
    }
    if (fresh.length > 0) await this.checkUsersExist(fresh);
    for (const user of wanted) {
      const told = fresh.includes(user) ? null : this.watching.told(user, socket);
      if (told) send(ws, { type: "presence", user, ...told });
    }
    // Recorded before asking, so that a change racing with the answer is not lost.
    for (const user of fresh) this.watching.add(user, socket, now + PRESENCE_SUBSCRIPTION_TTL_MS);
    if (fresh.length > 0) this.renewBy(now + PRESENCE_SUBSCRIPTION_TTL_MS / 2);
    await inBatches(fresh, async (user) => {
      try {
        const answer = await this.watch(user);
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

  /**
   * Sends a view to the devices watching `user` for which it is news (and to
   * `force`, a device that just subscribed). False when no device here
   * watches that user any more: the watched side then forgets this watcher.
   */
  deliver(user: string, view: PresenceView, force?: string): boolean {
    const sockets = this.socketsById();
    const { watchers, tell } = this.watching.offer(user, view, new Set(sockets.keys()), force);
    const frame: ServerFrame = { type: "presence", user, online: view.online, lastSeen: view.lastSeen };
    for (const id of tell) {
      const ws = sockets.get(id);
      if (ws) send(ws, frame);
    }
    return watchers > 0;
  }

  /** From the sweep: renews what expires within half its lifetime; answers when to come back. */
  async renew(now: number, live: LiveSocket[]): Promise<number | null> {
    const ids = new Set(live.flatMap((s) => (s.info.id ? [s.info.id] : [])));
    const due = this.watching.dueForRenewal(now + PRESENCE_SUBSCRIPTION_TTL_MS / 2, ids);
    await inBatches(due, async (user) => {
      try {
        const answer = await this.watch(user);
        this.watching.renewed(user, answer.expiresAt);
        this.deliver(user, answer.view); // corrects any push that was lost
      } catch (err) {
        console.warn(JSON.stringify({ event: "presence_renew_failed", user, error: String(err) }));
      }
    });
    const earliest = this.watching.earliestExpiry();
    return earliest === null ? null : Math.max(earliest - PRESENCE_SUBSCRIPTION_TTL_MS / 2, now + 1000);
  }

  /** A device left: its subscriptions end here (the watched side's rows expire or are declined). */
  forget(socket: SocketInfo | null): void {
    if (socket?.id) this.watching.dropSocket(socket.id);
  }

  /** The user was offline: every row belongs to a device that died unseen. */
  forgetAll(): void {
    this.watching.dropDead(new Set());
  }

  private async checkUsersExist(users: string[]): Promise<void> {
    // Accounts are sharded (shared/shards.ts): one query per shard holding some of them.
    const answers = await Promise.all(
      [...byShard(users)].map(([shard, ids]) =>
        this.env[shard]
          .prepare("SELECT id FROM users WHERE id IN (SELECT value FROM json_each(?))")
          .bind(JSON.stringify(ids))
          .all<{ id: string }>(),
      ),
    );
    const found = new Set(answers.flatMap((rows) => rows.results.map((row) => row.id)));
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
    for (const s of liveSockets(this.ctx)) if (s.info.id) out.set(s.info.id, s.ws);
    return out;
  }
}

export async function inBatches<T>(items: T[], run: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += FANOUT) await Promise.all(items.slice(i, i + FANOUT).map(run));
}
