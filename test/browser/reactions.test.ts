// Reactions and forwarding on the page, in Chromium (issue 18 parts 2 and 3):
// react from the message menu (a quick emoji or any one typed, a bad one
// refused on the page), the reactions row under the bubble live on both
// sides, who reacted with what in a group, taking a reaction back; forward
// one message or several selected to one or more chats, the "Forwarded"
// label, and a message forwarded many times going to one chat at a time.

import type { Locator } from "playwright-core";
import { describe, expect, inject, it } from "vitest";
import type { AuthAnswer, User } from "../../src/shared/protocol";
import { seriousViolations } from "../support/axe";
import { useBrowser } from "../support/browser";
import { PageUser } from "../support/page-user";
import { http, RawSocket, registerUser } from "../support/raw-socket";

const base = inject("baseUrl");
const DESKTOP = { viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 };

async function reactFromMenu(user: PageUser, bubble: Locator, emoji: string): Promise<void> {
  await user.fromMenu(bubble, "React");
  const dialog = user.page.getByRole("dialog", { name: "React to message" });
  await dialog.getByRole("button", { name: `React with ${emoji}` }).click();
  await dialog.waitFor({ state: "detached" });
}

async function newGroup(owner: PageUser, name: string, members: [PageUser, string][]): Promise<void> {
  await owner.page.getByRole("button", { name: "New group" }).click();
  for (const [member, shown] of members) {
    await owner.page.getByLabel("Add a member by username").fill(member.username);
    await owner.page.getByRole("button", { name: "Add", exact: true }).click();
    await owner.page.getByRole("button", { name: `Remove ${shown}` }).waitFor();
  }
  await owner.page.getByLabel("Group name").fill(name);
  await owner.page.getByRole("button", { name: "Create group" }).click();
  await owner.page.locator(".system", { hasText: "You created the group" }).waitFor();
}

describe("the web page", () => {
  const browser = useBrowser();

  it("reactions: react from the menu, any emoji, the row under the bubble live, who reacted in a group", async () => {
    const ann = await PageUser.register(browser(), base, "rann", "Ann", DESKTOP);
    const ben = await PageUser.register(browser(), base, "rben", "Ben", DESKTOP);
    const eve = await PageUser.register(browser(), base, "reve", "Eve");

    await ann.startChat(ben.username);
    await ann.send("Pizza tonight?");
    await ben.page.getByRole("button", { name: /^Ann/ }).click();
    await ben.theirs("Pizza tonight?").waitFor();

    // Ben reacts from the message menu; both pages show the row under the bubble.
    await ben.fromMenu(ben.theirs("Pizza tonight?"), "React");
    const picker = ben.page.getByRole("dialog", { name: "React to message" });
    await picker.waitFor();
    await ben.screenshot("react-dialog");
    expect(await seriousViolations(ben.page)).toEqual([]);
    await picker.getByRole("button", { name: "React with 👍" }).click();
    for (const user of [ann, ben]) {
      await user.page.getByRole("button", { name: "Reactions: 👍 1", exact: true }).waitFor();
    }

    // Ann types any emoji; one that is not an emoji is refused on the page and nothing is sent.
    await ann.fromMenu(ann.mine("Pizza tonight?"), "React");
    const annPicker = ann.page.getByRole("dialog", { name: "React to message" });
    await annPicker.getByLabel("Any emoji").fill("ok");
    await annPicker.getByRole("button", { name: "React", exact: true }).click();
    await annPicker.getByRole("alert").filter({ hasText: "Type one emoji." }).waitFor();
    await annPicker.getByLabel("Any emoji").fill("🎉");
    await annPicker.getByRole("button", { name: "React", exact: true }).click();
    for (const user of [ann, ben]) {
      await user.page.getByRole("button", { name: "Reactions: 👍 1, 🎉 1", exact: true }).waitFor();
    }
    await ann.screenshot("reactions-row");
    expect(await seriousViolations(ann.page)).toEqual([]);

    // Ben changes his mind: one reaction per person, replaced.
    await reactFromMenu(ben, ben.theirs("Pizza tonight?"), "❤️");
    for (const user of [ann, ben]) {
      await user.page.getByRole("button", { name: "Reactions: 🎉 1, ❤️ 1", exact: true }).waitFor();
    }

    // Ann sees who reacted and takes hers back.
    await ann.page.getByRole("button", { name: "Reactions: 🎉 1, ❤️ 1", exact: true }).click();
    const who = ann.page.getByRole("dialog", { name: "Reactions" });
    const rows = who.getByRole("list", { name: "Who reacted" }).getByRole("listitem");
    await expect(rows.allTextContents()).resolves.toEqual(["You🎉Remove", "Ben❤️"]);
    await who.getByRole("button", { name: "Remove" }).click();
    for (const user of [ann, ben]) {
      await user.page.getByRole("button", { name: "Reactions: ❤️ 1", exact: true }).waitFor();
    }
    // After a reload the state is the server's: still only Ben's.
    await ben.page.reload();
    await ben.page.getByRole("button", { name: /^Ann/ }).click();
    await ben.page.getByRole("button", { name: "Reactions: ❤️ 1", exact: true }).waitFor();

    // A group: every member sees the counts, and who reacted with what.
    await newGroup(ann, "Dinner", [
      [ben, "Ben"],
      [eve, "Eve"],
    ]);
    await ann.send("Table for three at eight");
    for (const member of [ben, eve]) {
      await member.page.getByRole("button", { name: /^Dinner/ }).click();
      await member.theirs("Table for three at eight").waitFor();
    }
    await reactFromMenu(ben, ben.theirs("Table for three at eight"), "👍");
    await reactFromMenu(eve, eve.theirs("Table for three at eight"), "👍");
    await reactFromMenu(ann, ann.mine("Table for three at eight"), "🙏");
    for (const user of [ann, ben, eve]) {
      await user.page.getByRole("button", { name: "Reactions: 👍 2, 🙏 1", exact: true }).waitFor();
    }
    await eve.page.getByRole("button", { name: "Reactions: 👍 2, 🙏 1", exact: true }).click();
    const groupWho = eve.page.getByRole("dialog", { name: "Reactions" });
    await expect(groupWho.getByRole("listitem").allTextContents()).resolves.toEqual(["Ben👍", "You👍Remove", "Ann🙏"]);
    await eve.screenshot("reactions-dialog");
    expect(await seriousViolations(eve.page)).toEqual([]);
    await groupWho.getByRole("button", { name: "Close" }).click();
    for (const user of [ann, ben, eve]) expect(user.errors).toEqual([]);
  });

  it("forwarding: one message or several to several chats, marked Forwarded; many times, one chat at a time", async () => {
    const ann = await PageUser.register(browser(), base, "fann", "Ann", DESKTOP);
    const ben = await PageUser.register(browser(), base, "fben", "Ben");
    const eve = await PageUser.register(browser(), base, "feve", "Eve");

    // Ann has chats with Ben and Eve; Ben writes to her.
    await ann.startChat(eve.username);
    await ann.send("Hi Eve");
    await ann.startChat(ben.username);
    await ann.page.getByRole("region", { name: "Chat with Ben" }).waitFor();
    await ann.send("Hi Ben");
    await ben.page.getByRole("button", { name: /^Ann/ }).click();
    await ben.send("The lake is frozen");
    await ben.send("Skates at the hut");
    await ann.theirs("Skates at the hut").waitFor();

    // One message, to two chats at once (Eve, and Ben himself).
    await ann.fromMenu(ann.theirs("The lake is frozen"), "Forward");
    const picker = ann.page.getByRole("dialog", { name: "Forward message to" });
    await picker.getByRole("checkbox", { name: "Eve" }).check();
    await picker.getByRole("checkbox", { name: "Ben" }).check();
    await ann.screenshot("forward-dialog");
    expect(await seriousViolations(ann.page)).toEqual([]);
    await picker.getByRole("button", { name: "Forward" }).click();
    await ann.page.getByRole("status").filter({ hasText: "Forwarded to 2 chats" }).waitFor();
    await ben.theirs("The lake is frozen").locator(".forwarded", { hasText: "Forwarded" }).waitFor();
    await eve.page.getByRole("button", { name: /^Ann/ }).click();
    await eve.theirs("The lake is frozen").locator(".forwarded", { hasText: "Forwarded" }).waitFor();
    // Ben's own message stays unmarked.
    await expect(ben.mine("The lake is frozen").locator(".forwarded").count()).resolves.toBe(0);

    // Several: select two messages, forward them to Eve, in their order.
    await ann.fromMenu(ann.theirs("The lake is frozen").first(), "Select messages");
    await ann.page.getByRole("checkbox", { name: /^Select message: Skates at the hut/ }).check();
    await ann.page.getByRole("toolbar", { name: "Selected messages" }).getByText("2 selected").waitFor();
    await ann.page.getByRole("toolbar", { name: "Selected messages" }).getByRole("button", { name: "Forward" }).click();
    const several = ann.page.getByRole("dialog", { name: "Forward 2 messages to" });
    await several.getByRole("checkbox", { name: "Eve" }).check();
    await several.getByRole("button", { name: "Forward" }).click();
    await eve.theirs("Skates at the hut").locator(".forwarded").waitFor();
    await expect(eve.page.locator(".bubble.theirs .text").allTextContents()).resolves.toEqual([
      "Hi Eve",
      "The lake is frozen",
      "The lake is frozen",
      "Skates at the hut",
    ]);
    await eve.screenshot("forwarded");

    // Many times: two people pass a message on four times over the protocol, the fifth forward reaches Ann.
    const [xan, zed] = await Promise.all([registerUser(base, "fxan"), registerUser(base, "fzed")]);
    const annUser = await http<User>(base, `/api/users/${ann.username}`, { token: xan.token });
    const sockets = await Promise.all([xan, zed].map((u) => RawSocket.open(base, u.token)));
    const [xs, zs] = sockets as [RawSocket, RawSocket];
    // Zed holds the original (from Xan); each forward goes to the other, the fifth to Ann.
    xs.send({ type: "send", clientId: "orig", chat: `u:${zed.user.id}`, text: "Chain letter" });
    let id = (await zs.next("message", (f) => f.message.text === "Chain letter")).message.id;
    let holder: [RawSocket, AuthAnswer] = [zs, zed];
    let other: [RawSocket, AuthAnswer] = [xs, xan];
    for (let hop = 1; hop <= 5; hop++) {
      const to = hop === 5 ? annUser.body.id : other[1].user.id;
      const forward = { chat: `u:${other[1].user.id}`, id };
      holder[0].send({ type: "send", clientId: `hop${hop}`, chat: `u:${to}`, text: "x", forward });
      const sent = await holder[0].next("sent", (f) => f.clientId === `hop${hop}`);
      if (hop === 5) break;
      id = (await other[0].next("message", (f) => f.message.id === sent.id)).message.id;
      [holder, other] = [other, holder];
    }
    await ann.page
      .getByRole("button", { name: /^fzed|^fxan/ })
      .first()
      .click();
    const chain = ann.theirs("Chain letter");
    await chain.locator(".forwarded", { hasText: "Forwarded many times" }).waitFor();
    await ann.fromMenu(chain, "Forward");
    const one = ann.page.getByRole("dialog", { name: "Forward message to" });
    await one.getByText("Forwarded many times: it can be sent to one chat at a time.").waitFor();
    await expect(one.getByRole("checkbox").count()).resolves.toBe(0);
    await one.getByRole("radio", { name: "Eve" }).check();
    await one.getByRole("radio", { name: "Ben" }).check();
    await expect(one.getByRole("radio", { name: "Eve" }).isChecked()).resolves.toBe(false);
    await ann.screenshot("forward-many-times");
    expect(await seriousViolations(ann.page)).toEqual([]);
    await one.getByRole("button", { name: "Forward" }).click();
    await ben.theirs("Chain letter").locator(".forwarded", { hasText: "Forwarded many times" }).waitFor();
    await expect(eve.page.getByText("Chain letter").count()).resolves.toBe(0);
    for (const s of sockets) s.close();
    for (const user of [ann, ben, eve]) expect(user.errors).toEqual([]);
  });
});
