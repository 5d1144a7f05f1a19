// Makes sure development VAPID keys (Web Push, RFC 8292) exist in the
// git-ignored .dev.vars, as dev-secret.mjs does for the JWT secret: a P-256
// key pair, base64url (the public key as its raw 65-byte point, the private
// key as its scalar), generated once per checkout, never committed. Production
// keys are secrets (docs/deploy.md). `node scripts/dev-vapid.mjs` prints the
// keys of a new pair for production.

import { generateKeyPairSync } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";

export function newVapidKeys() {
  const { publicKey, privateKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  const pub = publicKey.export({ format: "jwk" });
  const point = Buffer.concat([Buffer.from([4]), Buffer.from(pub.x, "base64url"), Buffer.from(pub.y, "base64url")]);
  return { publicKey: point.toString("base64url"), privateKey: privateKey.export({ format: "jwk" }).d };
}

export function ensureDevVapid(path = ".dev.vars") {
  const existing = existsSync(path) ? readFileSync(path, "utf8") : "";
  if (/^VAPID_PUBLIC_KEY=.+$/m.test(existing) && /^VAPID_PRIVATE_KEY=.+$/m.test(existing)) return false;
  const keys = newVapidKeys();
  const kept = existing.split("\n").filter((l) => l !== "" && !/^VAPID_(PUBLIC|PRIVATE)_KEY=/.test(l));
  const lines = [...kept, `VAPID_PUBLIC_KEY=${keys.publicKey}`, `VAPID_PRIVATE_KEY=${keys.privateKey}`];
  writeFileSync(path, `${lines.join("\n")}\n`, { mode: 0o600 });
  return true;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const keys = newVapidKeys();
  console.log(`VAPID_PUBLIC_KEY=${keys.publicKey}\nVAPID_PRIVATE_KEY=${keys.privateKey}`);
}
