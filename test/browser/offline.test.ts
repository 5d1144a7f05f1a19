// A message typed while the browser is offline.

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
});
