// A group's name, description and picture on the page (issue 22): an admin
// changes them from the group's info screen, a member sees the new name in
// the chat list and header, the notices in the chat, and the details read-only.

import { describe, expect, inject, it } from "vitest";
import { useBrowser } from "../support/browser";
import { PageUser } from "../support/page-user";
import { makePng } from "../support/png";

const base = inject("baseUrl");
const DESKTOP = { viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 };
const PICTURE = makePng(300, 200, (x) => [x % 256, 120, 200]);

describe("the web page", () => {
  const browser = useBrowser();

  it("an admin renames the group, describes it and sets its picture; a member sees them", async () => {
    const ann = await PageUser.register(browser(), base, "sann", "Ann");
    const ben = await PageUser.register(browser(), base, "sben", "Ben", DESKTOP);

    await ann.page.getByRole("button", { name: "New group" }).click();
    await ann.page.getByLabel("Add a member by username").fill(ben.username);
    await ann.page.getByRole("button", { name: "Add", exact: true }).click();
    await ann.page.getByRole("button", { name: "Remove Ben" }).waitFor();
    await ann.page.getByLabel("Group name").fill("Trip");
    await ann.page.getByRole("button", { name: "Create group" }).click();
    await ann.page.locator(".system", { hasText: "You created the group" }).waitFor();
    await ben.page.getByRole("button", { name: /^Trip/ }).click();
    await ben.page.locator(".system", { hasText: "Ann created the group" }).waitFor();

    // Ann opens the group's info from the chat's menu and changes it.
    await ann.page.getByRole("button", { name: "Chat options" }).click();
    await ann.page.getByRole("menuitem", { name: "Group info" }).click();
    const name = ann.page.getByLabel("Group name");
    await name.fill("   ");
    await ann.page.getByRole("button", { name: "Save group" }).click();
    await ann.page.getByRole("alert").filter({ hasText: /name/i }).waitFor();
    await name.fill("Hiking club");
    await ann.page.getByLabel("Description").fill("Sundays at nine, <b>station</b>");
    await ann.page.getByRole("button", { name: "Save group" }).click();
    await ann.page.getByRole("status").filter({ hasText: "Saved" }).waitFor();
    await ann.page.getByRole("heading", { name: "Hiking club" }).waitFor();

    const picture = ann.page.getByLabel("Change group picture");
    await picture.setInputFiles({ name: "notes.png", mimeType: "image/png", buffer: Buffer.from("not a picture") });
    await ann.page.getByRole("alert").filter({ hasText: "That file is not a picture" }).waitFor();
    await picture.setInputFiles({ name: "hills.png", mimeType: "image/png", buffer: PICTURE });
    await ann.page.getByRole("status").filter({ hasText: "Group picture updated" }).waitFor();
    await ann.page.getByRole("button", { name: "Remove group picture" }).waitFor();
    await ann.screenshot("group-settings-admin");
    await ann.page.getByRole("button", { name: "Back" }).click();
    for (const text of [
      "You changed the group name to “Hiking club”",
      "You changed the group description to “Sundays at nine, <b>station</b>”",
      "You changed the group picture",
    ]) {
      await ann.page.locator(".system", { hasText: text }).waitFor();
    }

    // Ben sees the new name in the header and the chat list, the notices in order, the picture.
    await ben.page.getByRole("heading", { name: "Hiking club" }).waitFor();
    await ben.page
      .getByRole("list", { name: "Chats" })
      .getByRole("button", { name: /^Hiking club/ })
      .waitFor();
    const notices = [
      "Ann created the group",
      "Ann changed the group name to “Hiking club”",
      "Ann changed the group description to “Sundays at nine, <b>station</b>”",
      "Ann changed the group picture",
    ];
    await ben.page.locator(".system", { hasText: notices[3] }).waitFor();
    expect(await ben.page.locator(".system").allTextContents()).toEqual(notices);
    const headerPicture = ben.page.locator(".chat-head .avatar img");
    await headerPicture.waitFor();
    expect(await headerPicture.getAttribute("src")).toMatch(/\/api\/groups\/[0-9a-z]{16}\/picture\?v=/);
    await expect.poll(() => headerPicture.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(200);

    // Ben reads the details but cannot change them.
    await ben.page.locator(".chat-head").click();
    await ben.page.getByTestId("group-description").filter({ hasText: "Sundays at nine, <b>station</b>" }).waitFor();
    expect(await ben.page.getByLabel("Group name").count()).toBe(0);
    expect(await ben.page.getByLabel("Change group picture").count()).toBe(0);
    await ben.screenshot("group-settings-member");

    // Ann removes the picture: Ben sees the notice and the initials again.
    await ann.page.getByRole("button", { name: "Chat options" }).click();
    await ann.page.getByRole("menuitem", { name: "Group info" }).click();
    await ann.page.getByRole("button", { name: "Remove group picture" }).click();
    await ann.page.getByRole("status").filter({ hasText: "Group picture removed" }).waitFor();
    await ben.page.getByRole("button", { name: "Back" }).click();
    await ben.page.locator(".system", { hasText: "Ann removed the group picture" }).waitFor();
    await ben.page.locator(".chat-head .avatar .initials").waitFor();
    expect([...ann.errors, ...ben.errors]).toEqual([]);
    await ann.context.close();
    await ben.context.close();
  });
});
