// GET /api/health: no token needed; 200 while D1 answers with the schema in
// place, 503 {ok: false} when it does not.

import { describe, expect, it } from "vitest";
import { version } from "../../../package.json";
import { api } from "../../test/helpers";
import { fetchWith } from "../../test/with-env";
import type { Health } from "./health";

describe("GET /api/health", () => {
  it("answers ok with the version, without a token", async () => {
    const res = await api("/api/health");
    expect(res.status).toBe(200);
    expect(await res.json<Health>()).toEqual({
      ok: true,
      version,
      environment: "development",
      checks: { d1: "ok" },
    });
  });

  it("answers 503 naming the shard when one D1 binding is missing (a deploy without that database)", async () => {
    const res = await fetchWith({ DB_2: undefined }, "/api/health");
    expect(res.status).toBe(503);
    expect(await res.json<Health>()).toMatchObject({ ok: false, checks: { d1: "failing", failing: ["DB_2"] } });
  });
});
