// The message menu in a real browser, two people and a second device of one
// of them: reply (the quote, a jump to it), copy, edit and delete for
// everyone live on every device and after a reload, delete for me, message
// info's times shown once; the menu by pointer, right-click, keyboard and a
// long press on touch.

import { describe, expect, inject, it } from "vitest";
import { PHONE, useBrowser } from "../support/browser";
import { PageUser } from "../support/page-user";

const base = inject("baseUrl");

describe("the web page", () => {
  const browser = useBrowser();

  it("message menu: reply, copy, edit and delete show on every device, live and after a reload", async () => {
    const ann = await PageUser.register(browser(), base, "mann", "Ann", {
      ...PHONE,
      permissions: ["clipboard-read", "clipboard-write"],
    });
    const ben = await PageUser.register(browser(), base, "mben", "Ben");
    const annPhone = await PageUser.login(browser(), base, ann.username, { ...PHONE, hasTouch: true, isMobile: true });

    await ann.startChat(ben.username);
    await ann.send("Lunch at noon?");
    await ann.send("Or later, see https://example.org/menu.");
    const row = ben.page.getByRole("button", { name: /^Ann/ });
    await row.click();
    await ben.theirs("Lunch at noon?").waitFor();
    // On a phone one screen at a time: the chat list is gone while the chat is open.
    expect(await ben.page.getByRole("heading", { name: "Chats" }).isVisible()).toBe(false);
    // A day separator before the day's first message; one sender's run grouped (the second bubble continues it).
    await expect(ben.page.locator(".messages .day").allTextContents()).resolves.toEqual(["Today"]);
    await ben.theirs("Or later").and(ben.page.locator(".cont")).waitFor();
    expect(await ben.theirs("Lunch at noon?").and(ben.page.locator(".cont")).count()).toBe(0);

    // A link is a link, opened without a referrer or a window handle.
    const link = ben.page.getByRole("link", { name: "https://example.org/menu" });
    await expect(link.getAttribute("rel")).resolves.toBe("noopener noreferrer");
    await expect(link.getAttribute("href")).resolves.toBe("https://example.org/menu");

    // Ben answers with a right-click → Reply.
    await ben.theirs("Lunch at noon?").click({ button: "right" });
    await ben.page.getByRole("menuitem", { name: "Reply" }).click();
    await ben.page.getByText("Replying to Ann").waitFor();
    await ben.send("Yes, at the usual place");
    await annPhone.page.getByRole("button", { name: /^Ben/ }).click();
    for (const [user, who] of [
      [ann, "You"],
      [ben, "Ann"],
      [annPhone, "You"],
    ] as const) {
      const reply = user.page.locator(".bubble", { hasText: "Yes, at the usual place" });
      await reply.locator(".quote", { hasText: "Lunch at noon?" }).waitFor();
      await expect(reply.locator(".quote-from").textContent()).resolves.toBe(who);
    }

    // Clicking the quote jumps to the quoted message.
    await ann.page.locator(".bubble .quote").click();
    await ann.page.locator(".bubble.focused", { hasText: "Lunch at noon?" }).waitFor();

    // Copy puts the text on the clipboard.
    await ann.fromMenu(ann.mine("Lunch at noon?"), "Copy");
    // writeText is asynchronous: wait for what a paste would give.
    await expect.poll(() => ann.page.evaluate(() => navigator.clipboard.readText())).toBe("Lunch at noon?");

    // Ann edits it: the new text with "edited" everywhere, live, and the quote follows.
    // The box holds the text as soon as the click on Edit has been handled (before,
    // it was filled a frame later, so a key pressed at once was lost or overwritten).
    await ann.mine("Lunch at noon?").hover();
    await ann.mine("Lunch at noon?").getByRole("button", { name: "Message options" }).click();
    await ann.page.getByRole("menuitem", { name: "Edit", exact: true }).waitFor();
    const afterClick = await ann.page.evaluate(async () => {
      const edit = [...document.querySelectorAll<HTMLElement>("[role=menuitem]")].find((b) => b.textContent === "Edit");
      edit?.click();
      await new Promise((resolve) => setTimeout(resolve, 0));
      return document.querySelector<HTMLTextAreaElement>("#composer-text")?.value;
    });
    expect(afterClick).toBe("Lunch at noon?");
    const box = ann.page.getByLabel("Message", { exact: true });
    await expect(box.inputValue()).resolves.toBe("Lunch at noon?");
    await expect.poll(() => ann.page.evaluate(() => document.activeElement?.id)).toBe("composer-text");
    await box.fill("Lunch at one?");
    await box.press("Enter");
    for (const user of [ann, ben, annPhone]) {
      await user.page.locator(".bubble", { hasText: "Lunch at one?" }).locator(".edited").waitFor();
      await user.page.locator(".quote", { hasText: "Lunch at one?" }).waitFor();
      expect(await user.page.locator(".bubble .text", { hasText: "Lunch at noon?" }).count()).toBe(0);
    }
    await ben.screenshot("reply-edited");

    // Delete for everyone, from the keyboard: one tab stop for the list, arrows inside, Enter opens the menu.
    // The message list is one tab stop: Shift+Tab from the message box lands on it, not on a bubble's button or link.
    await ann.page.getByLabel("Message", { exact: true }).focus();
    await ann.page.keyboard.press("Shift+Tab");
    await expect(ann.page.evaluate(() => document.activeElement?.getAttribute("role"))).resolves.toBe("log");
    await ann.page.keyboard.press("Home");
    await expect(ann.page.evaluate(() => document.activeElement?.textContent)).resolves.toContain("Lunch at one?");
    // The menu takes the focus in the same task as the Enter that opened it, so the
    // next key goes to the menu (before, the focus moved a frame later, and an End
    // pressed at once went to the list).
    const focusedAfterEnter = await ann.page.evaluate(async () => {
      document.activeElement?.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", bubbles: true }));
      await new Promise((resolve) => setTimeout(resolve, 0));
      return document.activeElement?.getAttribute("role");
    });
    expect(focusedAfterEnter).toBe("menuitem");
    await ann.page.getByRole("menu", { name: "Message options" }).waitFor();
    await ann.page.keyboard.press("End");
    await expect(ann.page.evaluate(() => document.activeElement?.textContent)).resolves.toBe("Delete for everyone");
    await ann.page.keyboard.press("Enter");
    const ask = ann.page.getByRole("alertdialog", { name: "Delete for everyone?" });
    await ask.waitFor();
    await ann.screenshot("confirm-delete");
    await ask.getByRole("button", { name: "Delete for everyone" }).click();
    for (const user of [ann, ben, annPhone]) {
      await user.page.locator(".bubble .text", { hasText: "This message was deleted" }).waitFor();
      await user.page.locator(".quote.deleted", { hasText: "This message was deleted" }).waitFor();
      expect(await user.page.getByText("Lunch at one?").count()).toBe(0);
    }

    // After a reload (the sync replays the changes): the same.
    await ben.page.reload();
    await ben.page.getByRole("button", { name: /^Ann/ }).click();
    await ben.page.locator(".bubble .text", { hasText: "This message was deleted" }).waitFor();
    await ben.page.locator(".quote.deleted").waitFor();

    // An edit survives a reload with its "edited" mark too.
    await ben.fromMenu(ben.mine("Yes, at the usual place"), "Edit");
    await ben.page.getByLabel("Message", { exact: true }).fill("Yes, at the new place");
    await ben.page.getByLabel("Message", { exact: true }).press("Enter");
    await annPhone.page.locator(".bubble", { hasText: "Yes, at the new place" }).locator(".edited").waitFor();
    await annPhone.page.reload();
    await annPhone.page.getByRole("button", { name: /^Ben/ }).click();
    await annPhone.page.locator(".bubble", { hasText: "Yes, at the new place" }).locator(".edited").waitFor();

    // A long press on touch opens the menu; delete for me leaves the other side's copy alone.
    const theirs = annPhone.theirs("Yes, at the new place");
    await theirs.dispatchEvent("pointerdown", { pointerType: "touch", isPrimary: true });
    await annPhone.page.getByRole("menu", { name: "Message options" }).waitFor();
    await annPhone.page.getByRole("menuitem", { name: "Delete for me" }).click();
    await theirs.waitFor({ state: "detached" });
    await ann.theirs("Yes, at the new place").waitFor({ state: "detached" }); // my other device too
    expect(await ben.mine("Yes, at the new place").count()).toBe(1);
    // Ann cannot delete Ben's message for everyone: the menu does not offer it.
    await ben.send("mine alone");
    await ann.theirs("mine alone").click({ button: "right" });
    await ann.page.getByRole("menuitem", { name: "Delete for me" }).waitFor();
    expect(await ann.page.getByRole("menuitem", { name: "Delete for everyone" }).count()).toBe(0);
    expect(await ann.page.getByRole("menuitem", { name: "Edit" }).count()).toBe(0);
    await ann.page.keyboard.press("Escape");
    await ann.page.getByRole("menu").waitFor({ state: "detached" });

    // Message info shows each time once.
    await ann.fromMenu(ann.mine("Or later"), "Message info");
    const benRow = ann.page.getByRole("row", { name: /Ben/ });
    await benRow.waitFor();
    const delivered = (await benRow.locator("td").nth(0).textContent()) ?? "";
    expect(delivered).not.toBe("not yet");
    expect(delivered).not.toMatch(/(\d{1,2}:\d{2}\s?(AM|PM)?).*\1/i);

    expect([...ann.errors, ...ben.errors, ...annPhone.errors]).toEqual([]);
    for (const user of [ann, ben, annPhone]) await user.context.close();
  });
});
