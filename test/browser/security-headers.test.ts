// The page's security headers (issue 21, row 3), in a real Chromium: the
// page and the API carry them, the page works under its strict CSP, and the
// CSP really stops what it should (an inline script, a framing page). The
// other browser tests fail on any CSP violation (test/support/csp-watch.ts).

import { describe, expect, inject, it } from "vitest";
import { useBrowser } from "../support/browser";
import { takeCspViolations, watchCsp } from "../support/csp-watch";

const base = inject("baseUrl");

function directives(csp: string | null): Map<string, string> {
  return new Map(
    (csp ?? "")
      .split(";")
      .map((d) => d.trim())
      .filter(Boolean)
      .map((d) => {
        const [name = "", ...values] = d.split(/\s+/);
        return [name, values.join(" ")];
      }),
  );
}

describe("security headers", () => {
  const browser = useBrowser();

  it("the page and the API send them", async () => {
    for (const path of ["/", "/some/deep/link", "/api/health", "/api/me"]) {
      const res = await fetch(`${base}${path}`);
      await res.body?.cancel();
      const csp = directives(res.headers.get("content-security-policy"));
      expect(csp.get("frame-ancestors"), path).toBe("'none'");
      expect(res.headers.get("x-content-type-options"), path).toBe("nosniff");
      expect(res.headers.get("referrer-policy"), path).toBe("no-referrer");
      expect(res.headers.get("x-frame-options"), path).toBe("DENY");
      // Development (wrangler dev) is not production: no HSTS on http://localhost.
      expect(res.headers.get("strict-transport-security"), path).toBeNull();
    }
    const page = directives((await fetch(`${base}/`)).headers.get("content-security-policy"));
    expect(page.get("script-src")).toBe("'self'");
    expect(page.get("style-src")).toBe("'self'");
    expect(page.get("connect-src")).toBe("'self'");
    expect(page.get("img-src")).toBe("'self' data: blob:");
    // blob: for a voice note downloaded by XHR (ui/media-view.tsx), nothing else.
    expect(page.get("media-src")).toBe("'self' blob:");
    expect(page.get("default-src")).toBe("'none'");
  });

  it("an inline script does not run, and the page cannot be framed", async () => {
    const context = await browser().newContext({ baseURL: base });
    const page = await context.newPage();
    watchCsp(page);
    await page.goto("/");
    await page.evaluate(() => {
      const script = document.createElement("script");
      script.textContent = "window.__injected = true";
      document.body.append(script);
    });
    expect(await page.evaluate(() => (window as { __injected?: boolean }).__injected ?? false)).toBe(false);
    // A page elsewhere that frames ours gets nothing.
    const framer = await context.newPage();
    // setContent waits for the load event, which waits for the frame's.
    await framer.setContent(`<iframe src="${base}/"></iframe>`);
    const frame = framer.frames()[1];
    expect(await frame?.evaluate(() => document.querySelector("#app") !== null).catch(() => false)).toBe(false);
    // The inline script was a violation, as it should be: recorded, then forgotten, so this test passes.
    const violations = takeCspViolations();
    expect(violations.some((v) => /script-src/.test(v))).toBe(true);
    await context.close();
  });
});
