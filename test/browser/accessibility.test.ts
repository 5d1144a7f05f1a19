// Every screen, light and dark, on a phone and on a wide screen: axe-core
// reports no serious or critical issue (contrast, names, landmarks, target
// sizes of at least 24×24 px), and there is one main landmark. With
// SCREENSHOTS=1 each is saved under docs/screenshots/<screen>-<theme>-<device>.png.

import type { BrowserContextOptions } from "playwright-core";
import { describe, expect, inject, it } from "vitest";
import { seriousViolations } from "../support/axe";
import { PHONE, useBrowser } from "../support/browser";
import { PageUser } from "../support/page-user";

const base = inject("baseUrl");
const DESKTOP = { viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 };

describe("the web page", () => {
  const browser = useBrowser();

  for (const [device, options] of [
    ["phone", PHONE],
    ["desktop", DESKTOP],
  ] as [string, BrowserContextOptions][]) {
    it(`has no serious accessibility issue on any screen, light and dark (${device})`, async () => {
      const settings = { ...options, permissions: ["clipboard-read", "clipboard-write"] };
      const ann = await PageUser.register(browser(), base, "xann", "Ann Lee", settings);
      const ben = await PageUser.register(browser(), base, "xben", "Ben Okafor", settings);
      const page = ann.page;
      const found: string[] = [];
      const check = async (screen: string) => {
        for (const theme of ["light", "dark"] as const) {
          await page.emulateMedia({ colorScheme: theme });
          for (const issue of await seriousViolations(page)) found.push(`${screen} (${theme}): ${issue}`);
          expect(await page.locator("main").count(), `${screen}: one main landmark`).toBe(1);
          await ann.screenshot(`${screen}-${theme}-${device}`);
        }
      };

      await check("chat-list-empty");
      // Content for the screens: a conversation with a reply, an edit, a deletion, a link.
      await ben.startChat(ann.username);
      await ben.send("Hi Ann! The plan is on https://example.org/plan");
      await ben.send("Shall we meet at noon?");
      await page.getByRole("button", { name: /^Ben Okafor/ }).click();
      await ann.theirs("Shall we meet at noon?").click({ button: "right" });
      await page.getByRole("menuitem", { name: "Reply" }).click();
      await ann.send("Noon is fine");
      await ann.send("Bring the map");
      await ann.fromMenu(ann.mine("Bring the map"), "Edit");
      await page.getByLabel("Message", { exact: true }).fill("Bring the maps");
      await page.getByLabel("Message", { exact: true }).press("Enter");
      await ann.mine("Bring the maps").locator(".edited").waitFor();
      await ben.send("oops, wrong chat");
      await ben.fromMenu(ben.mine("oops, wrong chat"), "Delete for everyone");
      await ben.page.getByRole("alertdialog").getByRole("button", { name: "Delete for everyone" }).click();
      await page.getByRole("log").getByText("This message was deleted").waitFor();
      await ann.mine("Noon is fine").locator('[data-status="read"]').waitFor();
      await check("conversation");

      await ann.theirs("Shall we meet at noon?").click({ button: "right" });
      await page.getByRole("menu", { name: "Message options" }).waitFor();
      await check("message-menu");
      await page.keyboard.press("Escape");

      await page.getByRole("button", { name: "Chat options" }).click();
      await page.getByRole("menuitem", { name: "Search in chat" }).click();
      await page.getByLabel("Search in chat").fill("noon");
      await page.getByRole("status").filter({ hasText: "of 2" }).waitFor();
      await check("search-in-chat");
      await page.getByRole("button", { name: "Close search" }).click();

      await ann.fromMenu(ann.mine("Noon is fine"), "Delete for everyone");
      await page.getByRole("alertdialog").waitFor();
      await check("confirm");
      await page.getByRole("alertdialog").getByRole("button", { name: "Cancel" }).click();

      await ann.fromMenu(ann.mine("Noon is fine"), "Message info");
      await page.getByRole("heading", { name: "Message info" }).waitFor();
      await check("message-info");
      await page.getByRole("button", { name: "Back" }).click();
      if (device === "phone") await page.getByRole("button", { name: "Back" }).click();

      // A group and its info.
      await page.getByRole("button", { name: "New group" }).click();
      await page.getByLabel("Add a member by username").fill(ben.username);
      await page.getByRole("button", { name: "Add", exact: true }).click();
      await page.getByLabel("Group name").fill("Weekend trip");
      await check("new-group");
      await page.getByRole("button", { name: "Create group" }).click();
      await page.locator(".system", { hasText: "You created the group" }).waitFor();
      await ann.send("Who brings the tent?");
      await check("group");
      await page.locator(".chat-head").click();
      await page.getByRole("button", { name: "Leave group" }).waitFor();
      await check("group-info");
      await page.keyboard.press("Escape");
      await page.keyboard.press("Escape");

      await page.getByRole("heading", { name: "Chats" }).waitFor();
      await check("chat-list");
      await page.getByRole("button", { name: "Search messages" }).click();
      await page.getByLabel("Search messages").fill("tent");
      await page.getByRole("button", { name: "Search", exact: true }).click();
      await page.getByRole("status").filter({ hasText: "1 found" }).waitFor();
      await check("search");
      await page.keyboard.press("Escape");
      await page.getByRole("button", { name: "New chat" }).click();
      await check("new-chat");
      await page.keyboard.press("Escape");
      await page.getByRole("button", { name: "Profile" }).click();
      await page.getByRole("list", { name: "Linked devices" }).getByText("This device").waitFor();
      await check("settings");
      await page.getByRole("button", { name: "Log out", exact: true }).click();
      await page.getByRole("heading", { name: "Log in to Edge Chat" }).waitFor();
      await check("login");
      await page.getByRole("button", { name: "New here? Create an account" }).click();
      await check("register");

      expect(found).toEqual([]);
      expect([...ann.errors, ...ben.errors]).toEqual([]);
      for (const user of [ann, ben]) await user.context.close();
    });
  }
});
