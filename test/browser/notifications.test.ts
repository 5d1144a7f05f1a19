// Notifications on the page (issue 18, part 4): the unread total in the tab's
// title, a browser notification for a new message while the tab is hidden
// (permission asked on a click in settings, never on load), a sound that can
// be switched off (kept across a reload), all under the page's CSP.

import { describe, expect, inject, it } from "vitest";
import { recordAlerts, recorded, setHidden } from "../support/alert-recorder";
import { useBrowser } from "../support/browser";
import { PageUser } from "../support/page-user";

const base = inject("baseUrl");
const DESKTOP = { viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 };

describe("notifications on the page", () => {
  const browser = useBrowser();

  it("title, sound and a notification while hidden; permission only on a click; the sound switch", async () => {
    const ann = await PageUser.register(browser(), base, "nann", "Ann", DESKTOP);
    const ben = await PageUser.register(browser(), base, "nben", "Ben");
    await recordAlerts(ann.context);
    await ann.page.reload();
    await ann.page.getByRole("heading", { name: "Chats" }).waitFor();
    expect(await ann.page.title()).toBe("Edge Chat");

    // The sound is a file of the page's own, served as audio.
    const sound = await fetch(`${base}/notify.wav`);
    expect(sound.status).toBe(200);
    expect(sound.headers.get("content-type")).toMatch(/^audio\//);
    expect((await sound.arrayBuffer()).byteLength).toBeLessThan(4096);

    // A message while the tab is visible: the title counts it, a sound, no notification.
    await ben.startChat(ann.username);
    await ben.send("first hello");
    await ann.page.getByRole("button", { name: /^Ben .*1 unread/ }).waitFor();
    await expect.poll(() => ann.page.title()).toBe("(1) Edge Chat");
    await expect.poll(async () => (await recorded(ann.page)).sounds).toEqual(["/notify.wav"]);
    expect((await recorded(ann.page)).notes).toEqual([]);
    // Nothing asked for the permission on load.
    expect((await recorded(ann.page)).asked).toBe(0);

    // Settings: notifications are turned on by a click, the only time the page asks.
    await ann.page.getByRole("button", { name: "Profile" }).click();
    await ann.page.getByText("Notifications are off.").waitFor();
    await ann.page.getByRole("button", { name: "Turn on notifications" }).click();
    await ann.page.getByText("Notifications are on while this tab is in the background.").waitFor();
    expect((await recorded(ann.page)).asked).toBe(1);
    await ann.screenshot("desktop-notification-settings");
    await ann.page.getByRole("button", { name: "Back" }).click();

    // Another tab in front: a notification naming the sender, and the title counts two.
    await setHidden(ann.page, true);
    await ben.send("are you there?");
    await expect
      .poll(async () => (await recorded(ann.page)).notes)
      .toEqual([{ title: "Ben", body: "are you there?", tag: expect.stringMatching(/^u:/) }]);
    await expect.poll(() => ann.page.title()).toBe("(2) Edge Chat");
    expect((await recorded(ann.page)).sounds).toHaveLength(2);
    await setHidden(ann.page, false);

    // The sound switched off stays off after a reload; notifications still come.
    await ann.page.getByRole("button", { name: "Profile" }).click();
    await ann.page.getByLabel("Sound for new messages").uncheck();
    await ann.page.reload();
    await ann.page.getByRole("button", { name: "Profile" }).click();
    await expect(ann.page.getByLabel("Sound for new messages").isChecked()).resolves.toBe(false);
    await ann.page.getByRole("button", { name: "Back" }).click();
    await setHidden(ann.page, true);
    await ben.send("quietly now");
    await expect.poll(async () => (await recorded(ann.page)).notes.map((n) => n.body)).toEqual(["quietly now"]);
    expect((await recorded(ann.page)).sounds).toEqual([]);
    await setHidden(ann.page, false);

    // Reading the chat clears the title; my own messages never alert.
    await ann.page.getByRole("button", { name: /^Ben/ }).click();
    await ann.theirs("quietly now").waitFor();
    await expect.poll(() => ann.page.title()).toBe("Edge Chat");
    await ann.send("yes, here");
    await ann.mine("yes, here").waitFor();
    expect((await recorded(ann.page)).notes).toHaveLength(1);
    expect(ann.errors).toEqual([]);
  });

  it("a muted chat neither notifies nor sounds, on all devices, until unmuted", async () => {
    const ann = await PageUser.register(browser(), base, "mann", "Ann", DESKTOP);
    const ben = await PageUser.register(browser(), base, "mben", "Ben");
    await recordAlerts(ann.context);
    await ann.page.reload();
    await ann.page.getByRole("button", { name: "Profile" }).click();
    await ann.page.getByRole("button", { name: "Turn on notifications" }).click();
    await ann.page.getByRole("button", { name: "Back" }).click();
    await ben.startChat(ann.username);
    await ben.send("hello Ann");
    await ann.page.getByRole("button", { name: /^Ben/ }).click();
    await ann.theirs("hello Ann").waitFor();

    // Mute for 8 hours from the chat's menu.
    await ann.page.getByRole("button", { name: "Chat options" }).click();
    await ann.page.getByRole("menuitem", { name: "Mute notifications" }).click();
    const dialog = ann.page.getByRole("alertdialog", { name: "Mute notifications for…" });
    await dialog.getByRole("button", { name: "Always" }).waitFor();
    await dialog.getByRole("button", { name: "1 week" }).waitFor();
    await ann.screenshot("desktop-mute");
    await dialog.getByRole("button", { name: "8 hours" }).click();
    await ann.page.getByRole("button", { name: /^Ben .*muted/ }).waitFor();
    const before = await recorded(ann.page);

    await setHidden(ann.page, true);
    await ben.send("a quiet one");
    await ben.mine("a quiet one").locator('[data-status="delivered"], [data-status="read"]').first().waitFor();
    await expect.poll(() => ann.page.title()).toBe("Edge Chat"); // a muted chat's unread stays out of the title
    await ann.page.waitForTimeout(1500); // longer than the page waits for a sender's name
    const during = await recorded(ann.page);
    expect(during.notes).toEqual(before.notes);
    expect(during.sounds).toEqual(before.sounds);
    await setHidden(ann.page, false);

    // Ann's other device learns it from the server.
    const annPhone = await PageUser.login(browser(), base, ann.username);
    await annPhone.page.getByRole("button", { name: /^Ben .*muted/ }).waitFor();

    // Unmute: the next message notifies again.
    await ann.page.getByRole("button", { name: "Chat options" }).click();
    await ann.page.getByRole("menuitem", { name: "Unmute" }).click();
    await ann.page.getByRole("button", { name: /^Ben .*muted/ }).waitFor({ state: "detached" });
    await setHidden(ann.page, true);
    await ben.send("loud again");
    await expect
      .poll(async () => (await recorded(ann.page)).notes.map((n) => n.body))
      .toEqual([...before.notes.map((n) => n.body), "loud again"]);
    await setHidden(ann.page, false);
    await ann.page.reload();
    await annPhone.page.reload();
    await annPhone.page.getByRole("button", { name: /^Ben/ }).waitFor();
    expect(await annPhone.page.getByRole("button", { name: /^Ben .*muted/ }).count()).toBe(0);
  });
});
