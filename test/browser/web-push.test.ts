// Web Push in the page's service worker (issue 18, part 4): a push delivered
// to the worker through the DevTools protocol (as a push service would) shows
// a notification with the sender's name and the text, one per chat; a
// notification's link (`/?chat=`) opens that chat. The server side, with a
// real push receiver and decryption, is test/e2e/web-push.test.ts.
// The headless Chromium here refuses notifications whatever is granted, so
// the worker's showNotification is replaced by a recorder (in the worker,
// through playwright) and what it was asked to show is checked.

import type { CDPSession, Worker } from "playwright-core";
import { describe, expect, inject, it } from "vitest";
import { useBrowser } from "../support/browser";
import { PageUser } from "../support/page-user";

const base = inject("baseUrl");

async function registrationId(cdp: CDPSession): Promise<string> {
  const found = new Promise<string>((resolve) => {
    cdp.on("ServiceWorker.workerRegistrationUpdated", ({ registrations }) => {
      const live = registrations.find((r) => !r.isDeleted && r.scopeURL.startsWith(base));
      if (live) resolve(live.registrationId);
    });
  });
  await cdp.send("ServiceWorker.enable");
  return found;
}

interface Shown {
  title: string;
  body?: string;
  tag?: string;
  chat?: string;
}

function recordNotifications(sw: Worker): Promise<void> {
  return sw.evaluate(() => {
    const scope = self as unknown as { __shown: Shown[]; registration: ServiceWorkerRegistration };
    scope.__shown = [];
    scope.registration.showNotification = async (title: string, options?: NotificationOptions) => {
      scope.__shown.push({ title, body: options?.body, tag: options?.tag, chat: options?.data?.chat });
    };
  });
}

describe("Web Push in the service worker", () => {
  const browser = useBrowser();

  it("shows a pushed message as a notification, and its link opens the chat", async () => {
    const ann = await PageUser.register(browser(), base, "pann", "Ann");
    const ben = await PageUser.register(browser(), base, "pben", "Ben");
    await ann.page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
    const sw = ann.context.serviceWorkers()[0] ?? (await ann.context.waitForEvent("serviceworker"));
    await recordNotifications(sw);
    const benId = await ben.page.evaluate(
      () => (JSON.parse(localStorage.getItem("edge-chat.session") ?? "{}") as { user: { id: string } }).user.id,
    );

    const cdp = await ann.context.newCDPSession(ann.page);
    const id = await registrationId(cdp);
    const note = { chat: `u:${benId}`, id: "x", from: benId, name: "Ben", text: "dinner at eight?", ts: Date.now() };
    const push = (data: unknown) =>
      cdp.send("ServiceWorker.deliverPushMessage", { origin: base, registrationId: id, data: JSON.stringify(data) });
    const shown = () => sw.evaluate(() => (self as unknown as { __shown: Shown[] }).__shown);
    await push(note);
    const chat = `u:${benId}`;
    await expect.poll(shown).toEqual([{ title: "Ben", body: "dinner at eight?", tag: chat, chat }]);
    // A push without a name or text still shows something (browsers insist on a notification per push).
    await push({ chat });
    await expect.poll(async () => (await shown())[1]).toEqual({ title: "New message", body: "", tag: chat, chat });

    // What a click on it opens when no tab is open: the chat.
    await ann.page.goto(`/?chat=${chat}`);
    await ann.page.getByRole("heading", { name: "Ben" }).waitFor();
    expect(new URL(ann.page.url()).search).toBe("");
    expect(ann.errors).toEqual([]);
  });
});
