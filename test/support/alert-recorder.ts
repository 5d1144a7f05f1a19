// Watches what the page does to tell a person of new messages, in a real
// Chromium: an init script replaces `window.Notification` with a recorder
// (permission "default" until the page asks, then "granted", kept across
// reloads), records every sound the page plays (and still plays it, so the
// CSP still applies), and can make the tab look hidden or visible (document.visibilityState and a
// `visibilitychange` event), which a headless tab cannot be made otherwise.

import type { BrowserContext, Page } from "playwright-core";

export interface Recorded {
  asked: number;
  notes: { title: string; body?: string; tag?: string }[];
  sounds: string[];
}

/** Installs the recorder into every page the context loads from now on (reload pages already open). */
export async function recordAlerts(context: BrowserContext): Promise<void> {
  await context.grantPermissions(["notifications"]);
  await context.addInitScript(() => {
    const w = window as unknown as {
      __alerts: { asked: number; notes: unknown[]; sounds: string[] };
      __hide: (hidden: boolean) => void;
      Notification: unknown;
    };
    w.__alerts = { asked: 0, notes: [], sounds: [] };
    // Kept across reloads, as a browser keeps a site's permission.
    let permission = (sessionStorage.getItem("test.notification-permission") ?? "default") as NotificationPermission;
    class RecordingNotification {
      onclick: (() => void) | null = null;
      static get permission(): NotificationPermission {
        return permission;
      }
      static async requestPermission(): Promise<NotificationPermission> {
        w.__alerts.asked++;
        permission = "granted";
        sessionStorage.setItem("test.notification-permission", permission);
        return permission;
      }
      constructor(title: string, options?: NotificationOptions) {
        w.__alerts.notes.push({ title, body: options?.body, tag: options?.tag });
      }
      close(): void {}
    }
    w.Notification = RecordingNotification;
    const play = HTMLMediaElement.prototype.play;
    HTMLMediaElement.prototype.play = function (this: HTMLMediaElement) {
      w.__alerts.sounds.push(new URL(this.src).pathname);
      return play.call(this).catch(() => undefined);
    };
    w.__hide = (hidden: boolean) => {
      Object.defineProperty(document, "visibilityState", {
        configurable: true,
        get: () => (hidden ? "hidden" : "visible"),
      });
      Object.defineProperty(document, "hidden", { configurable: true, get: () => hidden });
      document.dispatchEvent(new Event("visibilitychange"));
    };
  });
}

export function recorded(page: Page): Promise<Recorded> {
  return page.evaluate(() => (window as unknown as { __alerts: Recorded }).__alerts);
}

/** Makes the tab look hidden (another tab in front) or visible again. */
export async function setHidden(page: Page, hidden: boolean): Promise<void> {
  await page.evaluate((h) => (window as unknown as { __hide: (hidden: boolean) => void }).__hide(h), hidden);
}
