// Web Push on the page: once notifications are allowed, the browser is
// subscribed with the server's VAPID key and the subscription handed to
// `POST /api/me/push`, so a message that arrives while no tab of mine is open
// still shows (public/push-sw.js); done again on every load (the server may
// have lost it, or changed keys). Logging out unsubscribes first, so the
// next person on this browser gets nothing of mine. Every failure (no service
// worker, no push service reachable, a server without keys) leaves the page
// as it was: the title, the sound and notifications while open still work.

import type { Api } from "@edge-chat/client";
import type { ChatId } from "../../shared/protocol";
import { base64UrlBytes } from "../../shared/push";

const READY_WAIT_MS = 5000;

async function registration(): Promise<ServiceWorkerRegistration | null> {
  if (typeof navigator === "undefined" || !("serviceWorker" in navigator) || typeof PushManager === "undefined") {
    return null;
  }
  const timeout = new Promise<null>((resolve) => setTimeout(() => resolve(null), READY_WAIT_MS));
  return Promise.race([navigator.serviceWorker.ready, timeout]);
}

function sameKey(subscription: PushSubscription, key: Uint8Array): boolean {
  const current = subscription.options.applicationServerKey;
  if (!current) return false;
  const bytes = new Uint8Array(current);
  return bytes.length === key.length && bytes.every((b, i) => b === key[i]);
}

/** Subscribes this browser for my pushes; false when it cannot. */
export async function subscribePush(api: Api): Promise<boolean> {
  try {
    if (typeof Notification === "undefined" || Notification.permission !== "granted") return false;
    const reg = await registration();
    if (!reg) return false;
    const publicKey = await api.pushKey();
    const key = publicKey ? base64UrlBytes(publicKey) : null;
    if (!key) return false;
    let subscription = await reg.pushManager.getSubscription();
    if (subscription && !sameKey(subscription, key)) {
      await subscription.unsubscribe();
      subscription = null;
    }
    subscription ??= await reg.pushManager.subscribe({
      userVisibleOnly: true,
      applicationServerKey: key as Uint8Array<ArrayBuffer>,
    });
    await api.addPush(subscription.toJSON());
    return true;
  } catch {
    return false;
  }
}

/** Before logging out: the server forgets this browser, and the browser its subscription. */
export async function unsubscribePush(api: Api): Promise<void> {
  try {
    const reg = await registration();
    const subscription = await reg?.pushManager.getSubscription();
    if (!subscription) return;
    await api.removePush(subscription.endpoint).catch(() => undefined);
    await subscription.unsubscribe();
  } catch {
    // nothing subscribed, or no service worker
  }
}

const CHAT = /^[ug]:[0-9a-z]{16}$/;

/**
 * A click on a push's notification opens the chat: a new tab at `/?chat=`,
 * or a message from the service worker to a tab already open. Returns the
 * clean-up.
 */
export function openChatFromPush(open: (chat: ChatId) => void): () => void {
  const wanted = new URLSearchParams(location.search).get("chat");
  if (wanted !== null) {
    history.replaceState(null, "", "/");
    if (CHAT.test(wanted)) open(wanted as ChatId);
  }
  const container = typeof navigator !== "undefined" ? navigator.serviceWorker : undefined;
  if (!container) return () => undefined;
  const onMessage = (event: MessageEvent) => {
    const data = event.data as { type?: unknown; chat?: unknown } | null;
    if (data?.type === "open-chat" && typeof data.chat === "string" && CHAT.test(data.chat)) {
      open(data.chat as ChatId);
    }
  };
  container.addEventListener("message", onMessage);
  return () => container.removeEventListener("message", onMessage);
}
