// A message typed while the browser is offline, and the page reloaded offline
// (the service worker's shell, the chats from the last visit).

import { describe, expect, inject, it } from "vitest";
import { useBrowser } from "../support/browser";
import { PageUser } from "../support/page-user";

const base = inject("baseUrl");

describe("the web page", () => {
  const browser = useBrowser();

  it("a message typed offline waits with a clock, then goes out once when back online", async () => {
    const cat = await PageUser.register(browser(), base, "cat", "Cat");
    const dan = await PageUser.register(browser(), base, "dan", "Dan");
    await cat.startChat(dan.username);
    await cat.send("first");
    await cat.mine("first").locator('[data-status="delivered"], [data-status="read"]').waitFor();

    await cat.context.setOffline(true);
    await cat.page.locator('.banner[data-state="offline"]').waitFor();
    await cat.send("typed offline");
    await cat.mine("typed offline").locator('[data-status="pending"]').waitFor();
    await cat.screenshot("offline");
    await cat.page.waitForTimeout(1000); // long enough for a wrongly sent message to arrive
    const danRow = dan.page.getByRole("button", { name: /unread/ });
    await expect(danRow.locator(".chat-last").textContent()).resolves.toBe("first");

    await cat.context.setOffline(false);
    await cat.mine("typed offline").locator('[data-status="delivered"], [data-status="read"]').waitFor();
    await danRow.click();
    await dan.theirs("typed offline").waitFor();
    expect(await dan.theirs("typed offline").count()).toBe(1);
    expect(await cat.mine("typed offline").count()).toBe(1);
    await cat.context.close();
    await dan.context.close();
  });

  it("opens offline from the service worker with the stored chats, and sends what was typed once back online", async () => {
    const eva = await PageUser.register(browser(), base, "eva", "Eva");
    const fin = await PageUser.register(browser(), base, "fin", "Fin");
    await eva.startChat(fin.username);
    await eva.send("before the tunnel");
    await eva.mine("before the tunnel").locator('[data-status="delivered"], [data-status="read"]').waitFor();
    // The shell is installed and controls the page; the manifest makes it installable.
    const controlled = () => eva.page.evaluate(() => navigator.serviceWorker.controller !== null);
    await expect.poll(controlled, { timeout: 20_000 }).toBe(true);
    const manifest = await eva.page.evaluate(async () => (await fetch("/manifest.webmanifest")).json());
    expect(manifest).toMatchObject({ name: "Edge Chat", display: "standalone", start_url: "/" });
    await eva.page.waitForTimeout(1500); // the snapshot of the chats is written within a second

    await eva.context.setOffline(true);
    await eva.page.reload();
    await eva.page.getByRole("heading", { name: "Chats" }).waitFor();
    await eva.page.locator('.banner[data-state="offline"]').waitFor();
    await eva.page.getByRole("button", { name: /^Fin/ }).click();
    await eva.mine("before the tunnel").waitFor();
    await eva.send("typed in the tunnel");
    await eva.mine("typed in the tunnel").locator('[data-status="pending"]').waitFor();
    await eva.screenshot("offline-reload");

    await eva.context.setOffline(false);
    await eva.mine("typed in the tunnel").locator('[data-status="delivered"], [data-status="read"]').waitFor();
    await fin.page.getByRole("button", { name: /^Eva/ }).click();
    await fin.theirs("typed in the tunnel").waitFor();
    expect(await fin.theirs("typed in the tunnel").count()).toBe(1);
    expect(eva.errors).toEqual([]);
    await eva.context.close();
    await fin.context.close();
  });
});
