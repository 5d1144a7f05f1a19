// Makes sure a development JWT secret exists in the git-ignored .dev.vars
// (wrangler dev reads it). Generated once per checkout; never committed.

import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";

export function ensureDevSecret(path = ".dev.vars") {
  const existing = existsSync(path) ? readFileSync(path, "utf8") : "";
  if (/^JWT_SECRET=.{32,}$/m.test(existing)) return false;
  const secret = randomBytes(48).toString("base64url");
  writeFileSync(path, `${existing}${existing && !existing.endsWith("\n") ? "\n" : ""}JWT_SECRET=${secret}\n`, {
    mode: 0o600,
  });
  return true;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(ensureDevSecret() ? "wrote a new development secret to .dev.vars" : ".dev.vars already has a secret");
}
