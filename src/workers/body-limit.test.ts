// A JSON body is cut off at its limit while it streams, with or without
// Content-Length (issue 21, row 9): a 100 MB chunked PATCH /api/me is
// answered 413 after reading little more than the limit, and changes nothing.

import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { BASE, register } from "../test/helpers";

const CHUNK = 64 * 1024;
const TOTAL = 100 * 1024 * 1024;

/** A body of `total` bytes made as it is read, counting what was pulled. */
function endless(total: number): { stream: ReadableStream<Uint8Array>; pulled: () => number } {
  let sent = 0;
  const chunk = new TextEncoder().encode(`{"about":"${"x".repeat(CHUNK - 10)}`.slice(0, CHUNK));
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent >= total) return controller.close();
      sent += chunk.length;
      controller.enqueue(chunk.slice());
    },
  });
  return { stream, pulled: () => sent };
}

describe("JSON body limit", () => {
  it("cuts a chunked body off at the limit, reading little of it", async () => {
    const alice = await register();
    const body = endless(TOTAL);
    const res = await exports.default.fetch(
      new Request(`${BASE}/api/me`, {
        method: "PATCH",
        headers: { Authorization: `Bearer ${alice.token}`, "Content-Type": "application/json" },
        body: body.stream,
      }),
    );
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("too_large");
    // The limit is 16 KiB; a few chunks may be in flight, never the 100 MB.
    expect(body.pulled()).toBeLessThan(1024 * 1024);
    const me = await exports.default.fetch(
      new Request(`${BASE}/api/me`, { headers: { Authorization: `Bearer ${alice.token}` } }),
    );
    expect(((await me.json()) as { about: string }).about).toBe("");
  });

  it("refuses a declared Content-Length over the limit before reading", async () => {
    const alice = await register();
    const res = await exports.default.fetch(
      new Request(`${BASE}/api/me`, {
        method: "PATCH",
        headers: { Authorization: `Bearer ${alice.token}`, "Content-Type": "application/json" },
        body: JSON.stringify({ about: "x".repeat(17 * 1024) }),
      }),
    );
    expect(res.status).toBe(413);
  });
});
