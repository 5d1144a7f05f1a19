// One person using the page in their own browser context: registers through
// the form and finds things the way a screen reader would (roles and labels).
// SCREENSHOTS=1 saves pictures of the screens under docs/screenshots/.

import { mkdirSync } from "node:fs";
import path from "node:path";
import type { Browser, BrowserContext, BrowserContextOptions, Locator, Page } from "playwright-core";
import { PHONE } from "./browser";
import { uniqueUsername } from "./client-user";
import { watchCsp } from "./csp-watch";
import { watchPage } from "./page-watch";

const SHOTS = path.resolve(import.meta.dirname, "../../docs/screenshots");

export class PageUser {
  readonly dialogs: string[] = [];
  readonly errors: string[] = [];

  private constructor(
    readonly context: BrowserContext,
    readonly page: Page,
    readonly username: string,
  ) {
    page.on("dialog", (dialog) => {
      this.dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    page.on("pageerror", (err) => this.errors.push(String(err)));
    // Any CSP violation fails the test (see csp-watch.ts).
    watchCsp(page);
    // A failed test prints what this page still waited for (page-watch.ts).
    watchPage(page, username);
  }

  static async register(
    browser: Browser,
    baseUrl: string,
    prefix: string,
    displayName: string,
    options: BrowserContextOptions = PHONE,
  ): Promise<PageUser> {
    const context = await browser.newContext({ ...options, baseURL: baseUrl });
    const page = await context.newPage();
    const user = new PageUser(context, page, uniqueUsername(prefix));
    await page.goto("/");
    await page.getByRole("button", { name: "New here? Create an account" }).click();
    if (prefix === "ann") await user.screenshot("register");
    await page.getByLabel("Username").fill(user.username);
    await page.getByLabel("Display name (optional)").fill(displayName);
    await page.getByLabel("Password").fill("browser-password-1");
    await page.getByRole("button", { name: "Register" }).click();
    await page.getByRole("heading", { name: "Chats" }).waitFor();
    return user;
  }

  /** The same person on another device: a browser context of its own, logged in through the form. */
  static async login(
    browser: Browser,
    baseUrl: string,
    username: string,
    options: BrowserContextOptions = PHONE,
  ): Promise<PageUser> {
    const context = await browser.newContext({ ...options, baseURL: baseUrl });
    const page = await context.newPage();
    const user = new PageUser(context, page, username);
    await page.goto("/");
    await page.getByLabel("Username").fill(username);
    await page.getByLabel("Password").fill("browser-password-1");
    await page.getByRole("button", { name: "Log in" }).click();
    await page.getByRole("heading", { name: "Chats" }).waitFor();
    return user;
  }

  /** Opens a message's menu with the pointer (hover, then its chevron) and picks an item. */
  async fromMenu(bubble: Locator, item: string): Promise<void> {
    await bubble.hover();
    await bubble.getByRole("button", { name: "Message options" }).click();
    await this.page.getByRole("menuitem", { name: item, exact: true }).click();
  }

  async startChat(username: string): Promise<void> {
    await this.page.getByRole("button", { name: "New chat" }).click();
    await this.page.getByLabel("Username").fill(username);
    await this.page.getByRole("button", { name: "Start chat" }).click();
    await this.page.getByLabel("Message", { exact: true }).waitFor();
  }

  async send(text: string): Promise<void> {
    const box = this.page.getByLabel("Message", { exact: true });
    await box.fill(text);
    await box.press("Enter");
  }

  /** My bubble with this text. */
  mine(text: string) {
    return this.page.locator(".bubble.mine").filter({ has: this.page.locator(".text", { hasText: text }) });
  }

  theirs(text: string) {
    return this.page.locator(".bubble.theirs").filter({ has: this.page.locator(".text", { hasText: text }) });
  }

  /** Controls on the current screen without an accessible name (for screen readers). */
  unlabelled(): Promise<string[]> {
    return this.page.evaluate(() =>
      [...document.querySelectorAll<HTMLElement>("button, input, select, textarea, a[href]")]
        .filter((el) => {
          const labels = (el as HTMLInputElement).labels;
          const named = el.getAttribute("aria-label") || el.getAttribute("aria-labelledby") || el.textContent?.trim();
          return !named && !(labels && labels.length > 0);
        })
        .map((el) => el.outerHTML.slice(0, 120)),
    );
  }

  async screenshot(name: string): Promise<void> {
    if (process.env.SCREENSHOTS !== "1") return;
    mkdirSync(SHOTS, { recursive: true });
    await this.page.screenshot({ path: path.join(SHOTS, `${name}.png`) });
  }
}
