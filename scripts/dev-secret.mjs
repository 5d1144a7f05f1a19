// Makes sure a development JWT secret exists in the git-ignored .dev.vars
// (wrangler dev reads it). Generated once per checkout; never committed.
// It starts with `dev_`, and production refuses any secret that does
// (src/workers/ops/secret-guard.ts), so a copied .dev.vars never signs real
// tokens. An older secret without the prefix is replaced.

import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";

export const DEV_SECRET_PREFIX = "dev_";

export function ensureDevSecret(path = ".dev.vars") {
  const existing = existsSync(path) ? readFileSync(path, "utf8") : "";
  if (/^JWT_SECRET=dev_.{32,}$/m.test(existing)) return false;
  const line = `JWT_SECRET=${DEV_SECRET_PREFIX}${randomBytes(48).toString("base64url")}`;
  const kept = existing.split("\n").filter((l) => l !== "" && !l.startsWith("JWT_SECRET="));
  writeFileSync(path, `${[...kept, line].join("\n")}\n`, { mode: 0o600 });
  return true;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(ensureDevSecret() ? "wrote a new development secret to .dev.vars" : ".dev.vars already has a secret");
}
