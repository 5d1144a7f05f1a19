// One Durable Object per user (idFromName(userId)): the user's devices, their
// mailbox and the outbox that hands their messages and receipts to others.
// This class is a thin shell over the hibernation API and the RPC surface:
// it hands each event to ./user/*, where the work happens (frames to the
// table of ./user/frames/table.ts). Everything it holds in memory can be lost
// at any moment (eviction, hibernation, a crash) and is rebuilt from SQLite
// or the sockets' attachments. Two groups of RPC methods live in layers it
// extends (./user/rpc/): a hosted chat's (hosted-rpc.ts) and media's
// (media-rpc.ts); the runtime exposes inherited public methods as RPC too.

import type { Result } from "../shared/errors";
import { SOCKETS_PER_USER_MAX } from "../shared/limits";
import type { MuteState } from "../shared/mute";
import {
  type ChatId,
  type ChatSummary,
  type ClientFrame,
  errorFrame,
  type LastSeenVisibility,
  type Message,
  type MutedUntil,
  PING,
  PONG,
  type Presence,
} from "../shared/protocol";
import type { PushSubscriptionBody } from "../shared/push";
import type { GroupEntry, PushAnswer } from "./group-entry";
import type { InboxItem } from "./inbox";
import { chats, history, mute, readChat } from "./user/chat-reads";
import { frameError } from "./user/frame-errors";
import { admit, handOver } from "./user/frames/intake";
import { hostedInfo } from "./user/hosted-info";
import { accept, takeGroup } from "./user/inbound";
import { type MessageInfo, messageInfo } from "./user/message-info";
import { logCounts, onlineSessions, stats, type UserStats } from "./user/object-stats";
import { UserParts } from "./user/parts";
import { HIDDEN, type PresenceView } from "./user/presence";
import type { PresenceHub } from "./user/presence-hub";
import { MediaRpc } from "./user/rpc/media-rpc";
import { block, unblock } from "./user/safety";
import { type SearchRequest, searchAll } from "./user/search";
import { access } from "./user/sides";
import { attach, broadcast, closeIfPending, closeOldest, send } from "./user/sockets";
import type { WatchAnswer } from "./user/watcher";

export class UserObject extends MediaRpc {
  protected readonly parts: UserParts;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    const parts = new UserParts(ctx, env, this);
    this.parts = parts;
    // The runtime answers the heartbeat itself, without waking the object.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(PING, PONG));
    ctx.blockConcurrencyWhile(async () => {
      await parts.alarms.load();
      // Deliveries cut short by a restart resume now rather than at the alarm (see OUTBOX_SAFETY_MS).
      void Promise.all([parts.outbox.retryDue(), parts.peers.retryDue()]).catch((err: unknown) => {
        console.warn(JSON.stringify({ event: "outbox_resume_failed", error: String(err) }));
      });
    });
  }

  // ------------------------------------------------------------ WebSocket

  /** The Worker forwards an authenticated upgrade here (see workers/socket). */
  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get("Upgrade")?.toLowerCase() !== "websocket") {
      return new Response("expected a WebSocket upgrade", { status: 426 });
    }
    const sid = request.headers.get("x-session-id");
    if (!sid) return new Response("missing session", { status: 400 });
    const pair = new WebSocketPair();
    const [client, server] = [pair[0], pair[1]];
    this.ctx.acceptWebSocket(server, [sid]);
    // One clock reading for the socket's birth and the lastSeen it records: two could differ by a tick.
    const now = Date.now();
    attach(server, { sid, connectedAt: now, ...this.parts.seqHold.forNewSocket() });
    closeOldest(this.ctx.getWebSockets(), SOCKETS_PER_USER_MAX);
    this.parts.presence.connected(server, now);
    logCounts(this.parts, "socket_open", request.headers.get("x-request-id"));
    const headers = new Headers();
    const protocol = request.headers.get("x-echo-protocol");
    if (protocol) headers.set("Sec-WebSocket-Protocol", protocol);
    return new Response(null, { status: 101, webSocket: client, headers });
  }

  /** A frame: checked and looked up in the frame table (user/frames/), then handed to its handler. */
  override async webSocketMessage(ws: WebSocket, data: string | ArrayBuffer): Promise<void> {
    if (closeIfPending(ws)) return; // closed before its first frame (user/sockets.ts, endSocket)
    let frame: ClientFrame | undefined;
    try {
      this.parts.presence.heard(ws);
      if (data === PING) return send(ws, PONG); // a ping that arrived while awake by another path
      const admitted = admit(this.parts.frames, data);
      frame = admitted.frame;
      await handOver(this.parts, ws, admitted);
    } catch (err) {
      // The frame (once read) lends its clientId to the answer; see user/frame-errors.ts.
      send(ws, errorFrame(frameError(err, frame, this.parts.userId)));
    }
  }

  override async webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> {
    // Completes the closing handshake; 1005/1006 are not valid to send back.
    try {
      ws.close(code === 1005 || code === 1006 ? 1000 : code, reason);
    } catch {
      // already closed
    }
    await this.parts.presence.gone(ws, code);
  }

  override async webSocketError(ws: WebSocket): Promise<void> {
    try {
      ws.close(1011, "socket error");
    } catch {
      // already closed
    }
    await this.parts.presence.gone(ws, null);
  }

  // ------------------------------------------------------------ RPC from other objects (user/inbound.ts)

  /** Messages and receipts from other users' outboxes; answers whether a device is connected. */
  async accept(items: InboxItem[]): Promise<{ online: boolean }> {
    return accept(this.parts, items);
  }

  /** A group's entries this user had not taken (group/fanout.ts); `after` is where the group's cursor stood. */
  async takeGroup(groupId: string, entries: GroupEntry[], after: string): Promise<PushAnswer> {
    return takeGroup(this.parts, groupId, entries, after);
  }

  // ------------------------------------------------------------ RPC from the routes

  /** POST /api/me/push: a browser's push subscription (checked by the Worker). */
  async addPush(sub: PushSubscriptionBody, session: string): Promise<void> {
    this.parts.pushSubs.add(sub, session, Date.now());
  }

  /** DELETE /api/me/push. */
  async removePush(endpoint: string): Promise<void> {
    this.parts.pushSubs.remove(endpoint);
  }

  async history(chat: string, before: string | undefined, limit: number): Promise<Message[]> {
    return history(this.parts, chat, before, limit);
  }

  /** GET /api/chats/:chat/messages: a page of a chat, for a group only if the caller is or was in it. */
  async readChat(chat: string, before: string | undefined, limit: number): Promise<Result<Message[]>> {
    return readChat(this.parts, chat, before, limit);
  }

  async chats(): Promise<ChatSummary[]> {
    return chats(this.parts);
  }

  /** PUT /api/chats/:chat/mute (user/mutes.ts). */
  async mute(chat: ChatId, until: MutedUntil | null): Promise<Result<MuteState>> {
    return mute(this.parts, chat, until);
  }

  async block(userId: string): Promise<Result<null>> {
    return block(this.parts, userId);
  }

  async unblock(userId: string): Promise<void> {
    return unblock(this.parts, userId);
  }

  async blocked(): Promise<{ id: string; since: number }[]> {
    return this.parts.blocks.list();
  }

  /** Message info for a message this user sent: who got it and read it, and when (user/message-info.ts). */
  async receiptsOf(chat: string, id: string): Promise<Result<MessageInfo>> {
    const { userId, mailbox, groups, groupReads, archiveReads } = this.parts;
    return messageInfo(
      { userId, mailbox, groups, reads: groupReads, archive: archiveReads, hosted: hostedInfo(this.parts) },
      access(this.parts),
      chat,
      id,
    );
  }

  /** Session ids with a socket connected now (the linked-devices list shows them online). */
  async onlineSessions(): Promise<string[]> {
    return onlineSessions(this.ctx);
  }

  /** GET /api/search: this user's own messages matching every word, newest first. */
  async search(request: SearchRequest): Promise<Result<Message[]>> {
    const { mailbox, groups, groupReads, archiveReads } = this.parts;
    return searchAll(this.ctx.storage.sql, mailbox, groups, groupReads, request, archiveReads);
  }

  /** Logout: the session's sockets are told and closed at once (one that has not spoken yet, at its first frame). */
  async closeSession(sid: string): Promise<void> {
    this.parts.pushSubs.removeSession(sid);
    const sockets = this.ctx.getWebSockets(sid);
    broadcast(sockets, { type: "error", code: "unauthorized", message: "this session was logged out" });
    await this.parts.presence.drop(sockets, 4001, "logged out");
  }

  // ------------------------------------------------------------ presence RPC (see user/presence-hub.ts)

  async watch(watcher: string): Promise<WatchAnswer> {
    return this.parts.presence.watch(watcher);
  }

  async presenceChanged(user: string, view: PresenceView): Promise<boolean> {
    // Nor does this user see the presence of those it blocked (a shared group included).
    const shown = this.parts.blocks.has(user) ? { ...HIDDEN, at: view.at } : view;
    return this.parts.presence.watcher.deliver(user, shown);
  }

  async relayTyping(chat: ChatId, from: string): Promise<{ online: boolean }> {
    // A blocked user's typing reaches no device of the blocker, in a group neither (docs/security.md).
    if (this.parts.blocks.has(from)) return { online: this.ctx.getWebSockets().length > 0 };
    return { online: this.parts.presence.typing.deliver(chat, from) };
  }

  async presenceFor(viewer: string): Promise<Presence> {
    const { online, lastSeen } = await this.parts.presence.viewFor(viewer);
    return { online, lastSeen };
  }

  async setLastSeenVisibility(value: LastSeenVisibility): Promise<void> {
    await this.parts.presence.setVisibility(value);
  }

  async presenceStats(): Promise<ReturnType<PresenceHub["stats"]>> {
    return this.parts.presence.stats();
  }

  /** Counts for tests and operators. */
  async stats(): Promise<UserStats> {
    return stats(this.parts);
  }

  // ------------------------------------------------------------ alarm

  override async alarm(): Promise<void> {
    const { alarms, outbox, peers, presence, media, archiving } = this.parts;
    const due = alarms.fired();
    // Always: it is the outbox's safety net, and cheap when there is nothing to retry.
    await Promise.all([outbox.retryDue(), peers.retryDue()]);
    // Confirmed positions and chat rows waiting in memory are written (user/mailbox-chats.ts).
    this.parts.flushChats();
    // Only at its own time: most alarms of a busy object are the outbox's, released lazily.
    if (due("presence")) await presence.sweep();
    if (due("media")) await media.sweep();
    if (due("archive")) await archiving.step();
  }

  /** One step of the mailbox's archive, as the alarm runs it: for tests and operators (docs/archive.md). */
  async archiveStep(): Promise<"written" | "discarded" | null> {
    return this.parts.archiving.step();
  }
}
