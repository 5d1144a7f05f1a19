// The page in a real browser (Debian's Chromium), against the real server:
// two people register, start a chat, exchange messages and watch the ticks
// turn to read; a message that looks like HTML is shown as text.

import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { launchBrowser } from "../support/browser";
import { ClientUser } from "../support/client-user";
import { PageUser } from "../support/page-user";
import { makePng } from "../support/png";
import { waitFor } from "../support/wait";

const base = inject("baseUrl");
const INJECTION = "<img src=x onerror=alert(1)>";
const PICTURE = makePng(96, 96, (x, y) => [40 + x * 2, 120 + y, 180 - x]);

describe("the web page", () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it("two people chat: messages both ways, ticks to read, text shown as text", async () => {
    const ann = await PageUser.register(browser, base, "ann", "Ann");
    const ben = await PageUser.register(browser, base, "ben", "Ben");

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
    const row = ben.page.getByRole("button", { name: "Ann, online, 1 unread" });
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
    await ann.mine("Hi Ben!").getByRole("button", { name: "Message info" }).click();
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

  it("a group: a third member joins, ticks wait for every member, admins remove members", async () => {
    const ann = await PageUser.register(browser, base, "gann", "Ann");
    const ben = await PageUser.register(browser, base, "gben", "Ben");
    const eve = await PageUser.register(browser, base, "geve", "Eve");

    // Ann creates the group with Ben.
    await ann.page.getByRole("button", { name: "New group" }).click();
    await ann.page.getByLabel("Add a member by username").fill(ben.username);
    await ann.page.getByRole("button", { name: "Add", exact: true }).click();
    await ann.page.getByRole("button", { name: "Remove Ben" }).waitFor();
    await ann.page.getByLabel("Group name").fill("Trip <b>planning</b>");
    await ann.page.getByRole("button", { name: "Create group" }).click();
    await ann.page.getByRole("heading", { name: "Trip <b>planning</b>" }).waitFor();
    await ann.page.locator(".system", { hasText: "You created the group" }).waitFor();

    // Eve joins: Ann adds her from the group's info screen.
    await ann.page.getByRole("button", { name: /^Group info for Trip/ }).click();
    await ann.page.getByLabel("Add a member by username").fill(eve.username);
    await ann.page.getByRole("button", { name: "Add member" }).click();
    await ann.page.getByRole("button", { name: "Remove Eve" }).waitFor();
    await ann.page.getByText("3 members").waitFor();
    await ann.screenshot("group-info");
    await ann.page.getByRole("button", { name: "Back" }).click();
    await ann.page.locator(".system", { hasText: "Eve was added by you" }).waitFor();

    // A message: two ticks once both have it (their pages are open), blue only when both read it.
    await eve.page.getByRole("button", { name: /^Trip <b>planning<\/b>/ }).waitFor();
    await ann.send("Who brings the tent?");
    const ticks = ann.mine("Who brings the tent?").locator(".ticks");
    await ann.mine("Who brings the tent?").locator('[data-status="delivered"]').waitFor();
    await ben.page.getByRole("button", { name: /^Trip <b>planning<\/b>/ }).click();
    await ben.theirs("Who brings the tent?").waitFor();
    await ann.page.waitForTimeout(1000); // Ben's read receipt has time to arrive: still not blue
    expect(await ticks.getAttribute("data-status")).toBe("delivered");
    await eve.page.getByRole("button", { name: /^Trip <b>planning<\/b>/ }).click();
    await eve.theirs("Who brings the tent?").waitFor();
    await eve.page.locator(".system", { hasText: "You were added by Ann" }).waitFor();
    await ann.mine("Who brings the tent?").locator('[data-status="read"]').waitFor();
    await eve.send("I do");
    await ann.theirs("I do").locator(".sender", { hasText: "Eve" }).waitFor();
    await ann.screenshot("group");

    // Message info lists both members as having read it.
    await ann.mine("Who brings the tent?").getByRole("button", { name: "Message info" }).click();
    for (const name of ["Ben", "Eve"]) {
      const row = ann.page.getByRole("row", { name: new RegExp(name) });
      expect(await row.locator("td").nth(1).textContent()).not.toBe("not yet");
    }
    await ann.page.keyboard.press("Escape");

    // Search finds the message by a word's start and jumps to it.
    await ann.page.keyboard.press("Escape");
    await ann.page.getByRole("button", { name: "Search messages" }).click();
    await ann.page.getByLabel("Search messages").fill("TENT bring");
    await ann.page.getByRole("button", { name: "Search", exact: true }).click();
    await ann.page.getByRole("status").filter({ hasText: "1 found" }).waitFor();
    await ann.screenshot("search");
    await ann.page.getByRole("button", { name: /Who brings the tent\?/ }).click();
    await ann.page.locator(".bubble.focused", { hasText: "Who brings the tent?" }).waitFor();

    // Ann removes Ben; Ben sees it, and can no longer send.
    await ann.page.getByRole("button", { name: /^Group info for Trip/ }).click();
    await ann.page.getByRole("button", { name: "Remove Ben" }).click();
    await ann.page.getByText("2 members").waitFor();
    await ben.page.locator(".system", { hasText: "You were removed by Ann" }).waitFor();
    await ben.send("still here?");
    await ben.page
      .getByRole("alert")
      .filter({ hasText: /member/ })
      .waitFor();
    expect([...ann.errors, ...ben.errors, ...eve.errors]).toEqual([]);
    for (const user of [ann, ben, eve]) await user.context.close();
  });

  it("a long chat shows its newest page; older pages appear when scrolled to the top", async () => {
    const fay = await PageUser.register(browser, base, "fay", "Fay");
    const zed = await ClientUser.register(base, "zed");
    const fayId = (await zed.api.user(fay.username)).id;
    const connection = zed.connect();
    for (let i = 0; i < 120; i++) connection.send(`u:${fayId}`, `old ${i}`);
    await waitFor(() => connection.pending.length === 0, "120 sent", 60_000);
    connection.close();

    await fay.page.getByRole("button", { name: /120 unread$/ }).click();
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

  it("a message typed offline waits with a clock, then goes out once when back online", async () => {
    const cat = await PageUser.register(browser, base, "cat", "Cat");
    const dan = await PageUser.register(browser, base, "dan", "Dan");
    await cat.startChat(dan.username);
    await cat.send("first");
    await cat.mine("first").locator('[data-status="delivered"], [data-status="read"]').waitFor();

    await cat.context.setOffline(true);
    await cat.page.locator('.banner[data-state="offline"]').waitFor();
    await cat.send("typed offline");
    await cat.mine("typed offline").locator('[data-status="pending"]').waitFor();
    await cat.screenshot("offline");
    await cat.page.waitForTimeout(1000); // long enough for a wrongly sent message to arrive
    const danRow = dan.page.getByRole("button", { name: /unread$/ });
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
