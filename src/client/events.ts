// What a Connection tells the application, by event name.

import type { ChatId, Message, ServerFrame } from "../shared/protocol";

export type ConnectionState =
  /** Not started yet. */
  | "idle"
  /** Opening a socket. */
  | "connecting"
  /** Open; the replay asked for by `sync` is under way. */
  | "syncing"
  /** Open and caught up: new messages arrive as they are stored. */
  | "live"
  /** No socket; a reconnect is scheduled. */
  | "offline"
  /** Stopped for good: close() was called, or the token was refused. */
  | "closed";

type Frame<T extends ServerFrame["type"]> = Extract<ServerFrame, { type: T }>;

export interface SentEvent {
  clientId: string;
  id: string;
  seq: number;
  ts: number;
  chat: ChatId;
  text: string;
  /** The message it answers, when it was sent as a reply. */
  replyTo?: string;
}

export interface ConnectionEvents {
  state: { state: ConnectionState; previous: ConnectionState };
  /** A message new to this client (each id once, whatever path brought it). */
  message: Message;
  /** A queued send was stored by the server. */
  sent: SentEvent;
  /** A queued send was refused for good (e.g. unknown user, not a member). */
  failed: { clientId: string; code: string; message: string; chat: ChatId; text: string };
  /** A message was edited or deleted for everyone: its new state (see docs/protocol.md, Message actions). */
  update: Frame<"update">;
  /** This user deleted a message for itself (on another device, or this one). */
  removed: Frame<"removed">;
  receipt: Frame<"receipt">;
  presence: Frame<"presence">;
  typing: Frame<"typing">;
  /** A chat's unread count or mute changed on another device of this user (or this one). */
  chat: Frame<"chat">;
  /** A replay is complete; `seq` is the cursor now kept. */
  synced: { seq: number };
  /**
   * An error frame from the server; `unauthorized` when the token is refused and
   * `too_many_sockets` when a newer device displaced this one (both end in `closed`).
   */
  error: { code: string; message: string; clientId?: string };
}
