// The logged-in session, kept in localStorage so that a reload stays logged
// in, and the per-user queue of unsent messages (so a message typed offline
// survives a reload too).

import type { QueuedSend, QueueStore } from "../../client";
import type { User } from "../../shared/protocol";

export interface Session {
  token: string;
  user: User;
}

const KEY = "edge-chat.session";

export function loadSession(): Session | null {
  try {
    const raw = localStorage.getItem(KEY);
    return raw ? (JSON.parse(raw) as Session) : null;
  } catch {
    return null;
  }
}

export function saveSession(session: Session | null): void {
  if (session) localStorage.setItem(KEY, JSON.stringify(session));
  else localStorage.removeItem(KEY);
}

export function queueStore(userId: string): QueueStore {
  const key = `edge-chat.outbox.${userId}`;
  return {
    load(): QueuedSend[] {
      try {
        return JSON.parse(localStorage.getItem(key) ?? "[]") as QueuedSend[];
      } catch {
        return [];
      }
    },
    save(items: QueuedSend[]): void {
      localStorage.setItem(key, JSON.stringify(items));
    },
  };
}
