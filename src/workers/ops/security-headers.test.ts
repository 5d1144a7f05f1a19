// The Worker's security headers (issue 21, row 3): on every answer, errors
// included; HSTS only in production; the picture's own sandboxing CSP kept.
// The page's headers are checked in a real browser (test/browser/security-headers.test.ts).

import { describe, expect, it } from "vitest";
import { api, register } from "../../test/helpers";
import { PNG } from "../../test/images";
import { fetchWith } from "../../test/with-env";
import { API_CSP, HSTS } from "./security-headers";

function expectHeaders(res: Response): void {
  expect(res.headers.get("Content-Security-Policy")).toBe(API_CSP);
  expect(res.headers.get("X-Content-Type-Options")).toBe("nosniff");
  expect(res.headers.get("Referrer-Policy")).toBe("no-referrer");
  expect(res.headers.get("X-Frame-Options")).toBe("DENY");
}

describe("security headers of the API", () => {
  it("are on answers and refusals alike; no HSTS outside production", async () => {
    for (const res of [await api("/api/health"), await api("/api/me"), await api("/api/nowhere")]) {
      expectHeaders(res);
      expect(res.headers.get("Strict-Transport-Security")).toBeNull();
      await res.body?.cancel();
    }
    // The picture route's stricter policy stays on a picture.
    const { token, user } = await register();
    await api("/api/me/avatar", { method: "PUT", token, body: PNG });
    const picture = await api(`/api/users/${user.id}/avatar`, { token });
    expect(picture.status).toBe(200);
    expect(picture.headers.get("Content-Security-Policy")).toBe("default-src 'none'; sandbox");
    expect(picture.headers.get("X-Frame-Options")).toBe("DENY");
    await picture.body?.cancel();
  });

  it("production adds HSTS", async () => {
    const res = await fetchWith({ ENVIRONMENT: "production" }, "/api/health");
    expectHeaders(res);
    expect(res.headers.get("Strict-Transport-Security")).toBe(HSTS);
    await res.body?.cancel();
  });
});
