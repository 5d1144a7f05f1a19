// Production refuses to serve its API unless JWT_SECRET is a real secret:
// present, long, varied, and not one of the development or test secrets.
// (A deploy that forgot `wrangler secret put` must fail loudly, not sign
// tokens with a key someone has on a laptop.)

import { createMiddleware } from "hono/factory";
import { AppError } from "../../shared/errors";
import { JWT_SECRET_DISTINCT_MIN, JWT_SECRET_MIN } from "../../shared/limits";
import type { AppEnv } from "../app-env";

/**
 * Secrets that start like these are never accepted in production:
 * `dev_` is what scripts/dev-secret.mjs writes to .dev.vars; the test suites'
 * secrets start with `test` and `e2e`.
 */
export const NON_PRODUCTION_SECRET = /^(dev|test|e2e)/i;

/** Why this environment may not serve, or null when it may. */
export function secretProblem(env: Pick<Env, "ENVIRONMENT" | "JWT_SECRET">): string | null {
  if (env.ENVIRONMENT !== "production") return null;
  const secret = env.JWT_SECRET;
  if (typeof secret !== "string" || secret === "") return "JWT_SECRET is not set";
  if (secret.length < JWT_SECRET_MIN) return `JWT_SECRET is shorter than ${JWT_SECRET_MIN} characters`;
  if (NON_PRODUCTION_SECRET.test(secret)) return "JWT_SECRET is a development or test secret";
  if (new Set(secret).size < JWT_SECRET_DISTINCT_MIN) return "JWT_SECRET is too simple";
  return null;
}

export const requireRealSecret = createMiddleware<AppEnv>(async (c, next) => {
  const problem = secretProblem(c.env);
  if (problem) {
    console.error(JSON.stringify({ event: "misconfigured", problem }));
    throw new AppError(
      "unavailable",
      "this server is not configured for production: set a random JWT_SECRET of at least " +
        `${JWT_SECRET_MIN} characters with \`wrangler secret put JWT_SECRET --env production\``,
    );
  }
  await next();
});
