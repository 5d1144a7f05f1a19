// A big file (over 16 MiB: sent in 8 MiB parts) survives a reload of the page
// in the middle of its upload: the chat list offers "Resume upload", only the
// parts the server lacks are sent, and the message reaches Ben with every
// byte. When the browser kept no copy of the file, Resume asks for it again
// and refuses another file in words, sending nothing.

import { createHash, randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import type { Page, Route } from "playwright-core";
import { afterEach, describe, expect, inject, it } from "vitest";
import { MEDIA_PART_BYTES, MEDIA_SIMPLE_MAX_BYTES } from "../../src/shared/limits";
import { seriousViolations } from "../support/axe";
import { useBrowser } from "../support/browser";
import { PageUser } from "../support/page-user";
import { reportFailedPages } from "../support/page-watch";

const base = inject("baseUrl");
// Three parts: two whole ones and a short last one.
const SIZE = MEDIA_SIMPLE_MAX_BYTES + 12_345;
const PARTS = Math.ceil(SIZE / MEDIA_PART_BYTES);

/**
 * Holds every request to part `n` of any upload until `stop()`, which lets them
 * go on (or fails them); `arrived` at the first. Later requests pass. The route
 * stays: removing one (page.unroute) while a reloaded page sends its first
 * requests left one of them unanswered for good, now and then (Playwright
 * changes the browser's interception under requests already paused).
 */
async function holdPart(page: Page, n: number) {
  let reached = () => {};
  const arrived = new Promise<void>((resolve) => {
    reached = resolve;
  });
  let release = (_fail: boolean) => {};
  let open = false;
  const released = new Promise<boolean>((resolve) => {
    release = resolve;
  });
  await page.route(`**/api/media/uploads/*/parts/${n}`, async (route: Route) => {
    if (open) return route.fallback();
    reached();
    const fail = await released;
    // After a reload the page has cancelled it: nothing to continue.
    await (fail ? route.abort("connectionreset") : route.continue()).catch(() => undefined);
  });
  return {
    arrived,
    stop: async (fail = false) => {
      open = true;
      release(fail);
    },
  };
}

/** Which parts this page PUTs from now on. */
function watchParts(page: Page): number[] {
  const parts: number[] = [];
  page.on("request", (request) => {
    const match = /\/api\/media\/uploads\/[0-9a-z]+\/parts\/(\d+)$/.exec(request.url());
    if (match && request.method() === "PUT") parts.push(Number(match[1]));
  });
  return parts;
}

/** How many unfinished uploads the page keeps in IndexedDB. */
function keptUploads(page: Page): Promise<number> {
  return page.evaluate(
    () =>
      new Promise<number>((resolve, reject) => {
        const open = indexedDB.open("edge-chat-uploads");
        open.onsuccess = () => {
          const count = open.result.transaction("uploads").objectStore("uploads").count();
          count.onsuccess = () => resolve(count.result);
        };
        open.onerror = () => reject(open.error);
      }),
  );
}

function sha(bytes: Buffer): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/**
 * Waits for the offer on the chat list that says `text`; when it does not
 * come, the error says what the list showed instead (no offer, another size,
 * an error), which a timeout alone does not.
 */
async function offer(page: Page, text: string | RegExp) {
  const left = page.getByRole("list", { name: "Unfinished uploads" });
  try {
    await left.getByText(text).waitFor();
  } catch (err) {
    const shown = await left.allInnerTexts().catch((e: unknown) => [String(e)]);
    throw new Error(`${String(err)}\nThe list showed instead: ${JSON.stringify(shown)}`);
  }
  return left;
}

describe("resuming a big upload on the page", () => {
  const browser = useBrowser();
  /** Each test's people: their pages are closed after it, so that no test runs beside an earlier one's pages. */
  const people: PageUser[] = [];
  afterEach(async (context) => {
    await reportFailedPages(context);
    for (const person of people.splice(0)) await person.context.close();
  });

  /** Ann picks a big file for Ben; part 1 goes up, part 2 hangs (a slow network) until `held.stop()`. */
  async function bigUpload(name: string) {
    const ann = await PageUser.register(browser(), base, "ann", "Ann");
    const ben = await PageUser.register(browser(), base, "ben", "Ben");
    people.push(ann, ben);
    await ann.startChat(ben.username);
    const bytes = randomBytes(SIZE);
    const held = await holdPart(ann.page, 2);
    await ann.page
      .getByLabel("File to send")
      .setInputFiles({ name, mimeType: "application/octet-stream", buffer: bytes });
    await ann.page.getByRole("progressbar", { name: `Uploading ${name}` }).waitFor();
    await held.arrived;
    return { ann, ben, bytes, held };
  }

  it("a reload mid-upload: Resume upload sends the missing parts, and Ben gets the whole file", async () => {
    expect(PARTS).toBe(3);
    // The page is reloaded while part 2 is on its way.
    const { ann, ben, bytes, held } = await bigUpload("holiday.bin");
    await ann.page.reload();
    await held.stop();

    // The chat list says what was left, and how far it got.
    const left = await offer(ann.page, "holiday.bin to Ben: upload interrupted. 8.0 MB of 16.0 MB sent.");
    await ann.screenshot("media-resume-offer");
    expect(await seriousViolations(ann.page)).toEqual([]);
    // The same offer in the dark, on a phone and on a desktop, and axe again there.
    await ann.page.emulateMedia({ colorScheme: "dark" });
    await ann.screenshot("media-resume-offer-dark-phone");
    expect(await seriousViolations(ann.page)).toEqual([]);
    const phone = ann.page.viewportSize();
    await ann.page.setViewportSize({ width: 1280, height: 800 });
    await left.getByRole("button", { name: "Resume upload" }).waitFor();
    await ann.screenshot("media-resume-offer-dark-desktop");
    expect(await seriousViolations(ann.page)).toEqual([]);
    await ann.page.emulateMedia({ colorScheme: "light" });
    if (phone) await ann.page.setViewportSize(phone);

    // Resume: only parts 2 and 3 go up (part 3 held a moment, to see the progress bar).
    const parts = watchParts(ann.page);
    const last = await holdPart(ann.page, 3);
    await left.getByRole("button", { name: "Resume upload" }).click();
    await last.arrived;
    await left.getByRole("progressbar", { name: "Uploading holiday.bin" }).waitFor();
    await left.getByText(/^holiday\.bin to Ben: resuming the upload\. 1\d\.\d MB of 16\.0 MB sent\.$/).waitFor();
    await ann.screenshot("media-resume-uploading");
    await last.stop();
    await left.waitFor({ state: "detached" });
    expect(parts).toEqual([2, 3]);

    // Sent once, to Ben: his chat list and the chat say so, and the bytes are the file's.
    const row = ben.page.getByRole("button", { name: /^Ann/ }).first();
    await row.locator(".chat-last", { hasText: "📄 holiday.bin" }).waitFor();
    await row.click();
    const file = ben.page.getByRole("button", { name: "Download holiday.bin" });
    await file.waitFor();
    const [download] = await Promise.all([ben.page.waitForEvent("download"), file.click()]);
    expect(sha(await readFile(await download.path()))).toBe(sha(bytes));
    await ann.page.getByRole("button", { name: /^Ben/ }).first().click();
    await ann.page.getByRole("button", { name: "Download holiday.bin" }).waitFor();
    expect(await ann.page.getByRole("button", { name: "Download holiday.bin" }).count()).toBe(1);

    // Nothing is kept, nor offered again after another reload.
    await expect.poll(() => keptUploads(ann.page)).toBe(0);
    await ann.page.reload();
    await ann.page.getByRole("heading", { name: "Chats" }).waitFor();
    await ann.page.getByRole("button", { name: /^Ben/ }).first().waitFor();
    expect(await ann.page.getByRole("list", { name: "Unfinished uploads" }).count()).toBe(0);
    expect(ann.errors).toEqual([]);
    expect(ann.dialogs).toEqual([]);
  });

  it("without a kept copy, Resume asks for the file again and refuses another one", async () => {
    const { ann, ben, bytes, held } = await bigUpload("scan.bin");
    // As in a browser that cannot keep a file in IndexedDB: the record without it.
    await ann.page.evaluate(
      () =>
        new Promise<void>((resolve, reject) => {
          const open = indexedDB.open("edge-chat-uploads");
          open.onsuccess = () => {
            const store = open.result.transaction("uploads", "readwrite").objectStore("uploads");
            const all = store.getAll();
            all.onsuccess = () => {
              for (const record of all.result as { file?: Blob }[]) {
                delete record.file;
                store.put(record);
              }
              store.transaction.oncomplete = () => resolve();
            };
          };
          open.onerror = () => reject(open.error);
        }),
    );
    await ann.page.reload();
    await held.stop();

    const left = await offer(
      ann.page,
      /upload interrupted\. 8\.0 MB of 16\.0 MB sent\. Pick the same file to resume\.$/,
    );
    await ann.screenshot("media-resume-pick-again");

    // Another file of another size: refused in words, nothing sent, still offered.
    const parts = watchParts(ann.page);
    const [wrong] = await Promise.all([
      ann.page.waitForEvent("filechooser"),
      left.getByRole("button", { name: "Resume upload" }).click(),
    ]);
    await wrong.setFiles({ name: "other.bin", mimeType: "application/octet-stream", buffer: randomBytes(1000) });
    await left.getByRole("alert").filter({ hasText: "That is not the same file: pick scan.bin (16.0 MB)." }).waitFor();
    expect(parts).toEqual([]);
    await left.getByRole("button", { name: "Resume upload" }).waitFor();

    // The same file: the missing parts, then the message.
    const [right] = await Promise.all([
      ann.page.waitForEvent("filechooser"),
      left.getByRole("button", { name: "Resume upload" }).click(),
    ]);
    await right.setFiles({ name: "scan.bin", mimeType: "application/octet-stream", buffer: bytes });
    await left.waitFor({ state: "detached" });
    expect(parts).toEqual([2, 3]);
    const row = ben.page.getByRole("button", { name: /^Ann/ }).first();
    await row.locator(".chat-last", { hasText: "📄 scan.bin" }).waitFor();
    await row.click();
    await ben.page.getByRole("button", { name: "Download scan.bin" }).waitFor();
    expect(ann.errors).toEqual([]);
  });

  it("a part that fails twice: the error in words, and Resume upload offered at once, without a reload", async () => {
    const { ann, ben, held } = await bigUpload("film.bin");
    // Part 2 fails, and again when it is sent once more.
    let failing = true;
    await ann.page.route("**/api/media/uploads/*/parts/2", (route) =>
      failing ? route.abort("connectionreset") : route.fallback(),
    );
    await held.stop(true);
    await ann.page.getByRole("alert").filter({ hasText: "Not sent: the network failed; try again" }).waitFor();
    failing = false; // the route stays (see holdPart)
    await ann.page.getByRole("button", { name: "Back" }).click();
    const left = await offer(ann.page, "film.bin to Ben: upload interrupted. 8.0 MB of 16.0 MB sent.");
    await left.getByRole("button", { name: "Resume upload" }).click();
    await left.waitFor({ state: "detached" });
    const row = ben.page.getByRole("button", { name: /^Ann/ }).first();
    await row.locator(".chat-last", { hasText: "📄 film.bin" }).waitFor();
    expect(ann.errors).toEqual([]);
  });

  it("Discard forgets it: given up on the server, not offered after a reload, no copy kept, nothing sent", async () => {
    const { ann, ben, held } = await bigUpload("old.bin");
    await ann.page.reload();
    await held.stop();
    const left = ann.page.getByRole("list", { name: "Unfinished uploads" });
    const givenUp = ann.page.waitForResponse(
      (r) => r.request().method() === "DELETE" && /\/api\/media\/uploads\/[0-9a-z]+$/.test(r.url()),
    );
    await left.getByRole("button", { name: "Discard" }).click();
    await left.waitFor({ state: "detached" });
    // The server had it in progress, and gave it up (its bytes leave the day's allowance).
    expect((await givenUp).status()).toBe(204);
    await expect.poll(() => keptUploads(ann.page)).toBe(0);
    await ann.page.reload();
    await ann.page.getByRole("heading", { name: "Chats" }).waitFor();
    expect(await left.count()).toBe(0);
    expect(await ben.page.getByRole("button", { name: /^Ann/ }).count()).toBe(0);
  });
});
