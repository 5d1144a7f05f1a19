// `npm start`: the development secret, the local D1 migrations, the web page,
// then `wrangler dev` on http://localhost:${PORT:-8787}. Local D1, R2 and
// Durable Objects live under .wrangler/state.

import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { ensureDevSecret } from "./dev-secret.mjs";

const port = process.env.PORT ?? "8787";
const wrangler = "node_modules/.bin/wrangler";

function run(cmd, args) {
  const result = spawnSync(cmd, args, { stdio: "inherit", env: { ...process.env, CI: "true" } });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

if (ensureDevSecret()) console.log("wrote a new development secret to .dev.vars");
run(wrangler, ["d1", "migrations", "apply", "DB", "--local"]);
if (existsSync("src/web/index.html")) run("npm", ["run", "build:web"]);
else mkdirSync("dist/web", { recursive: true });

const dev = spawn(wrangler, ["dev", "--port", port, "--ip", "127.0.0.1"], {
  stdio: "inherit",
  env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
});
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => dev.kill(signal));
dev.on("exit", (code) => process.exit(code ?? 0));
