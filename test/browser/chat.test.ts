// The page in a real browser (Debian's Chromium), against the real server:
// two people register, start a chat, exchange messages and watch the ticks
// turn to read, see typing, online and last seen; a message that looks like
// HTML is shown as text; profile and picture.

import { describe, expect, inject, it } from "vitest";
import { useBrowser } from "../support/browser";
import { PageUser } from "../support/page-user";
import { makePng } from "../support/png";

const base = inject("baseUrl");
const INJECTION = "<img src=x onerror=alert(1)>";
const PICTURE = makePng(96, 96, (x, y) => [40 + x * 2, 120 + y, 180 - x]);

describe("the web page", () => {
  const browser = useBrowser();

  it("two people chat: messages both ways, ticks to read, text shown as text", async () => {
    const ann = await PageUser.register(browser(), base, "ann", "Ann");
    const ben = await PageUser.register(browser(), base, "ben", "Ben");

    // Ann sets a profile picture first.
    await ann.page.getByRole("button", { name: "Profile" }).click();
    await ann.page
      .getByLabel("Change picture")
      .setInputFiles({ name: "me.png", mimeType: "image/png", buffer: PICTURE });
    await ann.page.getByRole("status").filter({ hasText: "Picture updated" }).waitFor();
    await ann.page.getByRole("button", { name: "Back" }).click();

    await ann.startChat(ben.username);
    await ann.send("Hi Ben!");
    await ann.mine("Hi Ben!").waitFor();

    // Ben sees the chat in his list with an unread badge, then opens it.
    // ...with a green dot: Ann is online.
    const row = ben.page.getByRole("button", { name: /^Ann online, 1 unread/ });
    await row.waitFor();
    await row.locator('img[src*="/avatar"]').waitFor();
    await expect(row.locator(".chat-last").textContent()).resolves.toBe("Hi Ben!");
    await ben.screenshot("chat-list");
    await row.click();
    await ben.theirs("Hi Ben!").waitFor();

    // Ben has read it: Ann's ticks turn to read.
    await ann.mine("Hi Ben!").locator('[data-status="read"]').waitFor();
    const annStatus = ann.page.getByTestId("chat-status");
    await ann.page
      .getByTestId("chat-status")
      .filter({ hasText: /^online$/ })
      .waitFor();
    await ben.page.getByLabel("Message", { exact: true }).pressSequentially("Hel");
    await annStatus.filter({ hasText: "typing…" }).waitFor();
    await ben.send("Hello Ann");
    await ann.theirs("Hello Ann").waitFor();
    await ben.mine("Hello Ann").locator('[data-status="read"]').waitFor();

    // Text that looks like HTML stays text, on both sides.
    await ann.send(INJECTION);
    await ben.theirs(INJECTION).waitFor();
    for (const user of [ann, ben]) {
      const bubble = user.page.locator(".bubble").filter({ hasText: INJECTION });
      await expect(bubble.locator(".text").textContent()).resolves.toBe(INJECTION);
      expect(await user.page.locator(".bubble img").count()).toBe(0);
    }
    await ann.screenshot("conversation");
    expect(ann.dialogs).toEqual([]);
    expect(ben.dialogs).toEqual([]);

    // Message info: who received and read it.
    await ann.fromMenu(ann.mine("Hi Ben!"), "Message info");
    const benRow = ann.page.getByRole("row", { name: /Ben/ });
    await benRow.waitFor();
    expect(await benRow.locator("td").nth(1).textContent()).not.toBe("not yet");
    await ann.screenshot("message-info");
    await ann.page.keyboard.press("Escape");
    await ann.page.getByLabel("Message", { exact: true }).waitFor();

    // Ben closes his tab: Ann sees when he was last seen.
    await ben.page.close();
    await annStatus.filter({ hasText: /^last seen today at/ }).waitFor();
    await ann.screenshot("last-seen");

    // Profile: about and last-seen privacy, saved and shown again after a reload.
    await ann.page.keyboard.press("Escape");
    await ann.page.getByRole("button", { name: "Profile" }).click();
    await ann.page.getByLabel("About").fill("Hiking <script>alert(2)</script>");
    await ann.page.getByLabel("Who can see my last seen").selectOption("nobody");
    await ann.page.getByRole("button", { name: "Save" }).click();
    await ann.page.getByRole("status").filter({ hasText: "Saved" }).waitFor();
    await ann.screenshot("profile");
    await ann.page.reload();
    await ann.page.getByRole("button", { name: "Profile" }).click();
    await expect(ann.page.getByLabel("About").inputValue()).resolves.toBe("Hiking <script>alert(2)</script>");
    await expect(ann.page.getByLabel("Who can see my last seen").inputValue()).resolves.toBe("nobody");

    expect([...ann.errors, ...ben.errors]).toEqual([]);
    expect(ann.dialogs).toEqual([]);
    await ann.context.close();
    await ben.context.close();
  });
});
