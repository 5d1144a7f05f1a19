// Logging out when the server does not answer: the page still ends the
// session here (the token leaves the browser), as it does when the call fails.

import { describe, expect, inject, it } from "vitest";
import { useBrowser } from "../support/browser";
import { PageUser } from "../support/page-user";

const base = inject("baseUrl");

describe("logging out", () => {
  const browser = useBrowser();

  it("leaves for the login screen within seconds when the server never answers the logout", async () => {
    const ivy = await PageUser.register(browser(), base, "ivy", "Ivy");
    // The logout call reaches nothing: held until the test ends, as a stalled network would.
    const stalled: (string | undefined)[] = [];
    await ivy.page.route("**/api/auth/logout", (route) => {
      stalled.push(route.request().headers().authorization);
    });
    await ivy.page.getByRole("button", { name: "Profile" }).click();
    await ivy.page.getByRole("button", { name: "Log out" }).click();
    await ivy.page.getByRole("heading", { name: "Log in to Edge Chat" }).waitFor({ timeout: 15_000 });
    // The server was asked, with the session's token.
    expect(stalled).toEqual([expect.stringMatching(/^Bearer ./)]);
    // Nothing of the session is kept: a reload stays on the login screen.
    await ivy.page.reload();
    await ivy.page.getByRole("heading", { name: "Log in to Edge Chat" }).waitFor();
    await ivy.page.close();
  });
});
