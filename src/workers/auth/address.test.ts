// Per-address limits count an IPv6 /64 as one address, and every spelling of
// an address as the same one (issue 21, row 10).

import { describe, expect, it } from "vitest";
import { REGISTRATIONS_PER_ADDRESS_MAX } from "../../shared/limits";
import { api, uniqueName } from "../../test/helpers";
import { addressKey, isLoopback } from "./address";

describe("address keys", () => {
  it("brings every spelling to one form, and an IPv6 address to its /64", () => {
    const same = [
      "2001:db8::1",
      "2001:DB8:0::1",
      "2001:0db8:0000:0000:0000:0000:0000:0001",
      "2001:db8::2",
      "2001:db8:0:0:ffff::9",
    ];
    for (const a of same) expect(addressKey(a)).toBe("2001:db8:0:0::/64");
    expect(addressKey("2001:db8:0:1::1")).toBe("2001:db8:0:1::/64");
    expect(addressKey("::ffff:203.0.113.9")).toBe("203.0.113.9");
    expect(addressKey("::FFFF:cb00:7109")).toBe("203.0.113.9");
    expect(addressKey(" 203.0.113.9 ")).toBe("203.0.113.9");
    for (const bad of ["", "not an address", "1.2.3", "256.1.1.1", "1::2::3", "12345::", "1:2:3:4:5:6:7:8:9"]) {
      expect(addressKey(bad)).toBeUndefined();
    }
    for (const local of ["127.0.0.1", "127.9.9.9", "::1", "0:0:0:0:0:0:0:1", "::ffff:127.0.0.1"]) {
      expect(isLoopback(local)).toBe(true);
    }
    for (const remote of ["2001:db8::1", "203.0.113.9", "::2"]) expect(isLoopback(remote)).toBe(false);
  });

  it("registrations from one /64 share one allowance, whatever the spelling", { timeout: 60_000 }, async () => {
    const register = (address: string) =>
      api("/api/auth/register", {
        method: "POST",
        body: { username: uniqueName("v6"), password: "a long password" },
        headers: { "CF-Connecting-IP": address },
      });
    for (let i = 0; i < REGISTRATIONS_PER_ADDRESS_MAX; i++) {
      expect((await register(`2001:db8:77::${(i + 1).toString(16)}`)).status).toBe(201);
    }
    // Another host of the same /64, and another spelling of the first one: no fresh allowance.
    expect((await register("2001:db8:77::ffff")).status).toBe(429);
    expect((await register("2001:DB8:77:0:0::1")).status).toBe(429);
    // Another /64 has its own.
    expect((await register("2001:db8:78::1")).status).toBe(201);
  });
});
