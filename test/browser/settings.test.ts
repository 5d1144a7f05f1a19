// State that follows a person across devices, and the settings on the page:
// a chat read on one device stops being unread on the other, drafts kept per
// chat, block and unblock (chat menu and settings), linked devices with a
// remote log-out, a big picture resized before upload, errors in words, the
// theme switch. Desktop (two panes) and phone.

import { describe, expect, inject, it } from "vitest";
import { PHONE, useBrowser } from "../support/browser";
import { PageUser } from "../support/page-user";
import { makePng } from "../support/png";

const base = inject("baseUrl");
const DESKTOP = { viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 };
// Noise does not compress: about 3 MiB, three times the server's limit.
const BIG = makePng(1024, 1024, (x, y) => [(x * 7919 + y * 104729) % 251, (x * y) % 253, (x + y * 31) % 255]);

describe("the web page", () => {
  const browser = useBrowser();

  it("read on one device is read on all; drafts stay; block, linked devices, picture, theme", async () => {
    const ann = await PageUser.register(browser(), base, "sann", "Ann", DESKTOP);
    const ben = await PageUser.register(browser(), base, "sben", "Ben");
    const annPhone = await PageUser.login(browser(), base, ann.username, PHONE);

    // Two panes on a wide screen: the list beside the conversation.
    await ben.startChat(ann.username);
    await ben.send("Are you coming?");
    const row = ann.page.getByRole("button", { name: /^Ben .*1 unread/ });
    await row.waitFor();
    await annPhone.page.getByRole("button", { name: /^Ben .*1 unread/ }).waitFor();
    await ann.screenshot("desktop-list");

    // Ann reads it on her phone: the laptop's badge goes too, at once (a `chat`
    // frame; well before the chat list's 10 s refresh).
    await annPhone.page.getByRole("button", { name: /^Ben/ }).click();
    await annPhone.theirs("Are you coming?").waitFor();
    await ann.page.getByTestId("unread").waitFor({ state: "detached", timeout: 3_000 });

    // On the laptop the chat opens beside the list, which stays.
    await ann.page.getByRole("button", { name: /^Ben/ }).click();
    await ann.theirs("Are you coming?").waitFor();
    await ann.page.getByRole("heading", { name: "Chats" }).waitFor();

    // A draft stays with its chat: across another screen and a reload.
    await ann.page.getByLabel("Message", { exact: true }).fill("half a thought");
    await ann.page.getByRole("button", { name: "New chat" }).click();
    await ann.page.getByLabel("Username").fill(ann.username);
    await ann.page.getByRole("button", { name: "Start chat" }).click();
    await ann.page.getByRole("heading", { name: "You (notes)" }).waitFor();
    await expect(ann.page.getByLabel("Message", { exact: true }).inputValue()).resolves.toBe("");
    await ann.page.getByRole("button", { name: /^Ben/ }).click();
    await expect(ann.page.getByLabel("Message", { exact: true }).inputValue()).resolves.toBe("half a thought");
    await ann.page.reload();
    await ann.page.getByRole("button", { name: /^Ben/ }).click();
    await expect(ann.page.getByLabel("Message", { exact: true }).inputValue()).resolves.toBe("half a thought");
    await ann.screenshot("desktop-conversation");

    // Search in the chat marks the matches.
    await ben.send("The train leaves at six");
    await ann.theirs("The train leaves at six").waitFor();
    await ann.page.getByRole("button", { name: "Chat options" }).click();
    await ann.page.getByRole("menuitem", { name: "Search in chat" }).click();
    await ann.page.getByLabel("Search in chat").fill("TRAIN");
    await ann.page.locator("mark", { hasText: "train" }).waitFor();
    await ann.page.getByRole("status").filter({ hasText: "1 of 1" }).waitFor();
    await ann.screenshot("desktop-search-in-chat");
    await ann.page.getByRole("button", { name: "Close search" }).click();

    // Block from the chat's menu, after a confirmation: no message box, and Ben's messages do not arrive.
    await ann.page.getByRole("button", { name: "Chat options" }).click();
    await ann.page.getByRole("menuitem", { name: "Block Ben" }).click();
    await ann.page.getByRole("alertdialog", { name: "Block Ben?" }).getByRole("button", { name: "Block" }).click();
    await ann.page.getByText("You blocked this contact.").waitFor();
    await ben.send("hello? (blocked)");
    await ben.mine("hello? (blocked)").locator('[data-status="sent"]').waitFor();
    await ann.page.waitForTimeout(1000); // long enough for a wrongly delivered message to show
    expect(await ann.page.getByText("hello? (blocked)").count()).toBe(0);

    // Settings: the blocked list, unblock there; the linked devices, and a remote log-out.
    await ann.page.getByRole("button", { name: "Profile" }).click();
    const blocked = ann.page.getByRole("list", { name: "Blocked contacts" });
    await blocked.getByText("Ben").first().waitFor();
    const devices = ann.page.getByRole("list", { name: "Linked devices" });
    await devices.getByText("This device").waitFor();
    await devices.getByText("Online now").waitFor();
    await ann.screenshot("desktop-settings");
    await blocked.getByRole("button", { name: "Unblock Ben" }).click();
    await ann.page.getByText("Nobody is blocked.").waitFor();
    await devices.getByRole("button", { name: /^Log out / }).click();
    await ann.page.getByRole("alertdialog").getByRole("button", { name: "Log out" }).click();
    await annPhone.page.getByRole("heading", { name: "Log in to Edge Chat" }).waitFor();
    await devices.getByRole("button", { name: /^Log out / }).waitFor({ state: "detached" });

    // A picture three times the server's limit is resized in the browser and accepted.
    expect(BIG.length).toBeGreaterThan(1024 * 1024);
    const picture = ann.page.getByLabel("Change picture");
    await picture.setInputFiles({ name: "big.png", mimeType: "image/png", buffer: BIG });
    await ann.page.getByRole("status").filter({ hasText: "Picture updated" }).waitFor();
    // Not a picture: said in words, and "Picture updated" is gone.
    await picture.setInputFiles({ name: "notes.png", mimeType: "image/png", buffer: Buffer.from("not a picture") });
    await ann.page.getByRole("alert").filter({ hasText: "That file is not a picture" }).waitFor();
    expect(await ann.page.getByRole("status").filter({ hasText: "Picture updated" }).count()).toBe(0);

    // The theme: dark on demand, kept across a reload, back to the system's.
    const background = () => ann.page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    const light = await background();
    await ann.page.getByLabel("Dark").check();
    await expect(ann.page.evaluate(() => document.documentElement.dataset.theme)).resolves.toBe("dark");
    expect(await background()).not.toBe(light);
    await ann.page.reload();
    await expect(ann.page.evaluate(() => document.documentElement.dataset.theme)).resolves.toBe("dark");
    await ann.page.getByRole("button", { name: "Profile" }).click();
    await ann.page.getByLabel("As the system").check();
    expect(await background()).toBe(light);
    // The system's dark preference darkens the page by itself; the switch overrides it.
    const dark = await (async () => {
      await ann.page.getByLabel("Dark").check();
      const value = await background();
      await ann.page.getByLabel("As the system").check();
      return value;
    })();
    await ann.page.emulateMedia({ colorScheme: "dark" });
    await expect.poll(background).toBe(dark);
    await ann.page.getByLabel("Light").check();
    await expect.poll(background).toBe(light);
    await ann.page.getByLabel("As the system").check();
    await expect.poll(background).toBe(dark);
    await ann.page.emulateMedia({ colorScheme: "light" });
    await expect.poll(background).toBe(light);

    // Logging out leaves nothing of her chats in the browser: no stored chats, no drafts.
    const kept = () =>
      ann.page.evaluate(() =>
        Object.keys(localStorage).filter(
          (k) => k.startsWith("edge-chat.snapshot.") || k.startsWith("edge-chat.drafts."),
        ),
      );
    expect(await kept()).not.toEqual([]);
    await ann.page.getByRole("button", { name: "Log out", exact: true }).click();
    await ann.page.getByRole("heading", { name: "Log in to Edge Chat" }).waitFor();
    expect(await kept()).toEqual([]);

    expect([...ann.errors, ...ben.errors, ...annPhone.errors]).toEqual([]);
    for (const user of [ann, ben, annPhone]) await user.context.close();
  });
});
