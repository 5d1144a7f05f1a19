// The page from the keyboard alone, with every control named for screen readers.

import { describe, expect, inject, it } from "vitest";
import { useBrowser } from "../support/browser";
import { PageUser } from "../support/page-user";

const base = inject("baseUrl");

describe("the web page", () => {
  const browser = useBrowser();

  it("works from the keyboard alone: log in, start a chat, send, go back", async () => {
    const gus = await PageUser.register(browser(), base, "gus", "Gus");
    const hal = await PageUser.register(browser(), base, "hal", "Hal");
    const keys = gus.page.keyboard;
    // Each new screen moves the focus to its main field: wait for it, as a person would look.
    const focused = (label: string) =>
      gus.page.getByLabel(label, { exact: true }).and(gus.page.locator(":focus")).waitFor();
    // Log out, then log in with the keyboard: focus starts in the username field.
    await gus.page.getByRole("button", { name: "Profile" }).click();
    await gus.page.getByRole("button", { name: "Log out" }).waitFor();
    expect(await gus.unlabelled()).toEqual([]);
    await gus.page.getByRole("button", { name: "Log out" }).click();
    await gus.page.getByRole("heading", { name: "Log in to Edge Chat" }).waitFor();
    expect(await gus.unlabelled()).toEqual([]);
    await focused("Username");
    await keys.type(gus.username);
    await keys.press("Tab");
    await keys.type("browser-password-1");
    await keys.press("Enter");
    await gus.page.getByRole("heading", { name: "Chats" }).waitFor();
    expect(await gus.unlabelled()).toEqual([]);
    // Tab order: search, profile, new chat.
    for (let i = 0; i < 3; i++) await keys.press("Tab");
    await expect(gus.page.evaluate(() => document.activeElement?.textContent?.trim())).resolves.toBe("New chat");
    await keys.press("Enter");
    await focused("Username");
    await keys.type(hal.username);
    await keys.press("Enter");
    await focused("Message");
    await keys.type("typed, not clicked");
    await keys.press("Enter");
    await gus.mine("typed, not clicked").waitFor();
    expect(await gus.unlabelled()).toEqual([]);
    await hal.page.getByRole("button", { name: /^Gus/ }).waitFor();
    await keys.press("Escape");
    await gus.page.getByRole("button", { name: /^Hal/ }).waitFor();
    for (const user of [gus, hal]) await user.context.close();
  });
});
