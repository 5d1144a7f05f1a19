// Photos, files and voice notes on the page, in Chromium against the real
// server: Ann sends each to Ben, with a progress bar while it uploads; Ben
// sees the photo's preview at its proportions and opens it full size,
// downloads the file, and plays the voice note (recorded from Chromium's
// fake microphone). A file that lies about its type is refused in words.

import { describe, expect, inject, it } from "vitest";
import { seriousViolations } from "../support/axe";
import { useBrowser } from "../support/browser";
import { PageUser } from "../support/page-user";
import { makePng } from "../support/png";

const base = inject("baseUrl");
const PHOTO = makePng(320, 200, (x, y) => [x % 256, 100 + (y % 100), 200 - (x % 200)]);
const PDF = Buffer.from("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n");

describe("media on the page", () => {
  const browser = useBrowser();

  it("Ann sends a photo, a file and a voice note; Ben opens, downloads and plays them", async () => {
    const ann = await PageUser.register(browser(), base, "ann", "Ann");
    const ben = await PageUser.register(browser(), base, "ben", "Ben");
    await ann.startChat(ben.username);

    // A photo with a caption: the text typed goes with it. The upload is held a
    // moment on its way (a slow network), so its progress bar can be seen.
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    await ann.page.route("**/api/media?kind=*", async (route) => {
      await held;
      await route.continue();
    });
    await ann.page.getByLabel("Message", { exact: true }).fill("Our garden");
    await ann.page
      .getByLabel("File to send")
      .setInputFiles({ name: "garden.png", mimeType: "image/png", buffer: PHOTO });
    await ann.page.getByRole("progressbar", { name: "Uploading garden.png" }).waitFor();
    await ann.screenshot("media-uploading");
    release();
    const sentPhoto = ann.mine("Our garden");
    await sentPhoto.getByRole("button", { name: "Open photo garden.png" }).waitFor();

    // A file: name, size and type.
    await ann.page
      .getByLabel("File to send")
      .setInputFiles({ name: "notes.pdf", mimeType: "application/pdf", buffer: PDF });
    await ann.page.getByRole("button", { name: "Download notes.pdf" }).waitFor();

    // A voice note from the fake microphone.
    await ann.page.getByRole("button", { name: "Record voice message" }).click();
    await ann.page
      .getByRole("status")
      .filter({ hasText: /^Recording 0:0[1-9]/ })
      .waitFor();
    await ann.page.getByRole("button", { name: "Send voice message" }).click();
    // The sender's own note is playable at once, from the bytes it recorded.
    await ann.page.locator(".bubble.mine audio[aria-label^='Voice message 0:0']").waitFor();
    await ann.screenshot("media-sent");

    // Ben's chat list says what came last; then he opens the chat.
    const row = ben.page.getByRole("button", { name: /^Ann/ }).first();
    await row.locator(".chat-last", { hasText: "🎤 Voice message" }).waitFor();
    await row.click();
    const photo = ben.theirs("Our garden");
    const preview = photo.getByRole("img", { name: "Preview" });
    await preview.waitFor();
    // The preview is laid out at the photo's proportions before the photo itself is fetched.
    expect(await preview.getAttribute("width")).toBe("260");
    expect(await preview.getAttribute("height")).toBe("163");
    expect(await preview.getAttribute("src")).toMatch(/^data:image\/jpeg;base64,/);
    await photo.getByRole("button", { name: "Open photo garden.png" }).click();
    const viewer = ben.page.getByRole("dialog", { name: "Photo" });
    const full = viewer.getByRole("img", { name: "garden.png" });
    await full.waitFor();
    expect(await full.getAttribute("src")).toMatch(/^blob:/);
    await expect.poll(() => full.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(320);
    await ben.screenshot("media-photo");
    // Escape closes it (the close button has the focus).
    await ben.page.keyboard.press("Escape");
    await viewer.waitFor({ state: "detached" });

    const file = ben.page.getByRole("button", { name: "Download notes.pdf" });
    await expect(file.textContent()).resolves.toMatch(/PDF.*notes\.pdf.*B · application\/pdf/);
    const [download] = await Promise.all([ben.page.waitForEvent("download"), file.click()]);
    expect(download.suggestedFilename()).toBe("notes.pdf");

    await ben.page.getByRole("button", { name: /^Play voice message 0:0\d$/i }).click();
    const audio = ben.page.locator(".bubble.theirs audio");
    await audio.waitFor();
    expect(await audio.getAttribute("src")).toMatch(/^blob:/);
    await expect.poll(() => audio.evaluate((a: HTMLAudioElement) => a.readyState)).toBeGreaterThan(0);
    await ben.screenshot("media-received");
    // The new controls pass axe on both sides (names, roles, contrast).
    expect(await seriousViolations(ben.page)).toEqual([]);
    expect(await seriousViolations(ann.page)).toEqual([]);
    // The same in the dark, on a phone (Ben) and on a desktop (Ann), and axe again there.
    await ben.page.emulateMedia({ colorScheme: "dark" });
    await ben.screenshot("media-received-dark-phone");
    await ann.page.setViewportSize({ width: 1280, height: 800 });
    await ann.page.emulateMedia({ colorScheme: "dark" });
    await ann.screenshot("media-sent-dark-desktop");
    expect(await seriousViolations(ben.page)).toEqual([]);
    expect(await seriousViolations(ann.page)).toEqual([]);
    await ann.page.emulateMedia({ colorScheme: "light" });

    // A text file calling itself a PNG: refused, said in words, nothing sent.
    await ann.page
      .getByLabel("File to send")
      .setInputFiles({ name: "fake.png", mimeType: "image/png", buffer: Buffer.from("just text\n") });
    await ann.page
      .getByRole("alert")
      .filter({ hasText: /^Not sent: a photo must be a PNG/ })
      .waitFor();
    expect(await ann.page.locator(".bubble.mine").count()).toBe(3);
    expect(ann.dialogs).toEqual([]);
    expect(ben.dialogs).toEqual([]);
  });
});
