// Long chats: the newest page first, older pages on scroll.

import { describe, expect, inject, it } from "vitest";
import { useBrowser } from "../support/browser";
import { ClientUser } from "../support/client-user";
import { PageUser } from "../support/page-user";
import { waitFor } from "../support/wait";

const base = inject("baseUrl");

describe("the web page", () => {
  const browser = useBrowser();

  it("a long chat shows its newest page; older pages appear when scrolled to the top", async () => {
    const fay = await PageUser.register(browser(), base, "fay", "Fay");
    const zed = await ClientUser.register(base, "zed");
    const fayId = (await zed.api.user(fay.username)).id;
    const connection = zed.connect();
    for (let i = 0; i < 120; i++) connection.send(`u:${fayId}`, `old ${i}`);
    await waitFor(() => connection.pending.length === 0, "120 sent", 60_000);
    connection.close();

    await fay.page.getByRole("button", { name: /120 unread/ }).click();
    await fay.theirs("old 119").waitFor();
    const bubbles = fay.page.locator(".bubble.theirs");
    expect(await bubbles.count()).toBe(50);
    const log = fay.page.getByRole("log", { name: "Messages" });
    for (const expected of [100, 120]) {
      await log.evaluate((el) => {
        el.scrollTop = 0;
      });
      await waitFor(async () => (await bubbles.count()) === expected || undefined, `${expected} shown`);
    }
    await expect(bubbles.first().locator(".text").textContent()).resolves.toBe("old 0");
    await fay.context.close();
  });
});
