// The logged-in session, kept in localStorage so that a reload stays logged
// in, and the per-user queue of unsent messages (so a message typed offline
// survives a reload too).

import type { QueuedSend, QueueStore } from "@edge-chat/client";
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

const BROWSERS: [RegExp, string][] = [
  [/Edg\//, "Edge"],
  [/Firefox\//, "Firefox"],
  [/Chrom(e|ium)\//, "Chrome"],
  [/Safari\//, "Safari"],
];
const SYSTEMS: [RegExp, string][] = [
  [/Android/, "Android"],
  [/iPhone|iPad/, "iOS"],
  [/Windows/, "Windows"],
  [/Mac OS X/, "macOS"],
  [/Linux/, "Linux"],
];

/** A short name for this browser in the list of linked devices: "Chrome on Linux". */
export function deviceName(agent = typeof navigator === "undefined" ? "" : navigator.userAgent): string {
  const browser = BROWSERS.find(([pattern]) => pattern.test(agent))?.[1] ?? "Browser";
  const system = SYSTEMS.find(([pattern]) => pattern.test(agent))?.[1];
  return system ? `${browser} on ${system}` : browser;
}
