// Groups in the browser: a third member joins, ticks wait for every member,
// an edit and an admin's delete for everyone shown live, message info, search
// with a jump to the hit, removal.

import { describe, expect, inject, it } from "vitest";
import { useBrowser } from "../support/browser";
import { PageUser } from "../support/page-user";

const base = inject("baseUrl");

describe("the web page", () => {
  const browser = useBrowser();

  it("a group: a third member joins, ticks wait for every member, admins remove members", async () => {
    const ann = await PageUser.register(browser(), base, "gann", "Ann");
    const ben = await PageUser.register(browser(), base, "gben", "Ben");
    const eve = await PageUser.register(browser(), base, "geve", "Eve");

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
    await ann.page.locator(".chat-head").click();
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

    // In a group too, an edit shows live on every member's page with "edited", and an
    // admin's delete for everyone of someone else's message says so.
    await eve.fromMenu(eve.mine("I do"), "Edit");
    await eve.page.getByLabel("Message", { exact: true }).fill("I do, and the stove");
    await eve.page.getByLabel("Message", { exact: true }).press("Enter");
    for (const user of [ann, ben]) {
      await user.theirs("I do, and the stove").locator(".edited").waitFor();
    }
    await ann.fromMenu(ann.theirs("I do, and the stove"), "Delete for everyone");
    await ann.page.getByRole("alertdialog").getByRole("button", { name: "Delete for everyone" }).click();
    for (const user of [ann, ben, eve]) {
      await user.page.locator(".bubble .text", { hasText: "This message was deleted by an admin" }).waitFor();
      expect(await user.page.getByText("I do, and the stove").count()).toBe(0);
    }

    // Message info lists both members as having read it.
    await ann.fromMenu(ann.mine("Who brings the tent?"), "Message info");
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

    // Ann removes Ben, after saying yes; Ben sees it, and has no message box any more.
    await ann.page.locator(".chat-head").click();
    await ann.page.getByRole("button", { name: "Remove Ben" }).click();
    const ask = ann.page.getByRole("alertdialog", { name: "Remove Ben from the group?" });
    await ask.getByRole("button", { name: "Cancel" }).click();
    await ann.page.getByText("3 members").waitFor();
    await ann.page.getByRole("button", { name: "Remove Ben" }).click();
    await ask.getByRole("button", { name: "Remove", exact: true }).click();
    await ann.page.getByText("2 members").waitFor();
    await ben.page.locator(".system", { hasText: "You were removed by Ann" }).waitFor();
    await ben.page.getByText("You are no longer a member of this group.").waitFor();
    expect(await ben.page.getByLabel("Message", { exact: true }).count()).toBe(0);
    // Leaving asks too.
    await eve.page.locator(".chat-head").click();
    await eve.page.getByRole("button", { name: "Leave group" }).click();
    await eve.page
      .getByRole("alertdialog", { name: "Leave the group?" })
      .getByRole("button", { name: "Leave" })
      .click();
    await eve.page.getByRole("heading", { name: "Chats" }).waitFor();
    await ann.page.getByText("1 member").waitFor();
    expect([...ann.errors, ...ben.errors, ...eve.errors]).toEqual([]);
    for (const user of [ann, ben, eve]) await user.context.close();
  });
});
