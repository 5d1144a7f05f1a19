// The API reference page in Chromium: Swagger UI, served from our own static
// assets, renders the OpenAPI document under the page's policy, with no
// policy violation and no request to another origin.

import { describe, expect, inject, it } from "vitest";
import { useBrowser } from "../support/browser";

const base = inject("baseUrl");

describe("/api/docs", () => {
  const browser = useBrowser();

  it("shows every operation of the OpenAPI document, within its CSP, from this origin only", async () => {
    const page = await browser().newPage();
    const problems: string[] = [];
    const origins = new Set<string>();
    page.on("console", (m) => {
      if (m.type() === "error" || /Content Security Policy/i.test(m.text())) problems.push(m.text());
    });
    page.on("pageerror", (e) => problems.push(String(e)));
    page.on("request", (r) => {
      if (!r.url().startsWith("data:")) origins.add(new URL(r.url()).origin);
    });
    await page.goto(`${base}/api/docs`);
    await page.locator(".opblock").first().waitFor({ timeout: 30_000 });
    const doc = (await (await fetch(`${base}/api/openapi.json`)).json()) as { paths: Record<string, object> };
    const operations = Object.values(doc.paths).reduce((n, ops) => n + Object.keys(ops).length, 0);
    expect(await page.locator(".opblock").count()).toBe(operations);
    expect(await page.locator(".info .title").textContent()).toContain("edge-chat HTTP API");
    expect(problems).toEqual([]);
    expect([...origins]).toEqual([new URL(base).origin]);
    await page.close();
  });
});
