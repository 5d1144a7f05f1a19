// The session's one Connection: opened with the page's queue store (unsent
// messages survive a reload), its events fed into the store (./incoming.ts),
// the chat list asked for again after every sync and, while the page is
// visible, every UNREAD_REFRESH_MS.

import { Connection, type ConnectionState } from "@edge-chat/client";
import { type Receiver, receive } from "./incoming";
import { queueStore, type Session } from "./session";

/**
 * How often a visible page asks for the unread counts again: the server tells
 * a user's other devices nothing when one of them reads, so this is how a chat
 * read on the phone stops showing unread on the laptop (also on focus).
 */
const UNREAD_REFRESH_MS = 10_000;

export interface LiveTarget extends Receiver {
  refreshChats(): Promise<void>;
}

export interface LiveHooks {
  state(state: ConnectionState): void;
  /** The token was refused (logged out elsewhere): the session ends. */
  refused(): void;
}

export interface Live {
  readonly connection: Connection;
  /** Closes the connection and stops the refreshes. */
  stop(): void;
}

export function goLive(session: Session, to: LiveTarget, hooks: LiveHooks): Live {
  const connection = new Connection({
    baseUrl: "",
    token: session.token,
    userId: session.user.id,
    queueStore: queueStore(session.user.id),
  });
  connection.on("state", ({ state }) => hooks.state(state));
  receive(connection, to);
  connection.on("synced", () => void to.refreshChats());
  connection.on("error", (e) => {
    if (e.code === "unauthorized") hooks.refused();
  });
  connection.start();
  const timer = setInterval(() => {
    if (to.visible() && connection.state === "live") void to.refreshChats();
  }, UNREAD_REFRESH_MS);
  return {
    connection,
    stop: () => {
      clearInterval(timer);
      connection.close();
    },
  };
}
