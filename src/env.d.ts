// The bindings of wrangler.toml, typed. `import { env } from "cloudflare:workers"`
// and every handler's `env` have this shape.

declare namespace Cloudflare {
  interface Env {
    /** The account shards (src/shared/shards.ts picks one per user id or username). */
    DB_0: D1Database;
    DB_1: D1Database;
    DB_2: D1Database;
    DB_3: D1Database;
    AVATARS: R2Bucket;
    /** Photos, files and voice notes (workers/media, objects/user/media-store.ts). */
    MEDIA: R2Bucket;
    /** Old pages of group logs (and, later, mailboxes), compressed (docs/archive.md). */
    ARCHIVE: R2Bucket;
    USERS: DurableObjectNamespace<import("./objects/user-object").UserObject>;
    THROTTLE: DurableObjectNamespace<import("./objects/throttle-object").ThrottleObject>;
    GROUPS: DurableObjectNamespace<import("./objects/group-object").GroupObject>;
    /** HS256 key for session tokens: `.dev.vars` locally, `wrangler secret put` in production. */
    JWT_SECRET: string;
    /** "development" (top level of wrangler.toml) or "production" ([env.production]). */
    ENVIRONMENT: string;
    /** Comma-separated user ids that may call /api/admin (docs/operations.md). */
    ADMIN_USER_IDS?: string;
    /** Overrides the 60 s silent-device timeout (tests shorten it). */
    SOCKET_TIMEOUT_MS?: string;
    /** Overrides the per-user frame budget as "ratePerSecond,burst" (tests lower it). */
    FRAME_RATE?: string;
    /** Override how long a sender may edit / delete for everyone (ms; end-to-end tests shorten them). */
    EDIT_WINDOW_MS?: string;
    DELETE_WINDOW_MS?: string;
    /** Overrides the per-user media allowance as "bytes,uploads" a day (tests lower it). */
    MEDIA_DAILY?: string;
    /** Overrides how long an upload no message refers to is kept (ms; tests shorten it). */
    MEDIA_UNSENT_TTL_MS?: string;
    /** The archive's hot window (ms), size threshold (bytes), page size (entries) and pause between pages (ms); defaults in objects/storage/archive-config.ts. */
    ARCHIVE_HOT_MS?: string;
    ARCHIVE_MAX_BYTES?: string;
    ARCHIVE_PAGE_ENTRIES?: string;
    ARCHIVE_STEP_GAP_MS?: string;
    /** "on": a guest's text in a chat its peer hosts is stored at the host only (objects/user/hosted-send.ts). Off when absent. */
    HOSTED_GUEST_SEND?: string;
    /** Web Push (VAPID, RFC 8292): the P-256 key pair, base64url (`.dev.vars` locally, secrets in production). */
    VAPID_PUBLIC_KEY?: string;
    VAPID_PRIVATE_KEY?: string;
    /** Who runs the push sender, for push services: a mailto: or https: URL. */
    VAPID_SUBJECT?: string;
  }
  interface GlobalProps {
    mainModule: typeof import("./workers/index");
    durableNamespaces: "UserObject" | "ThrottleObject" | "GroupObject";
  }
}

interface Env extends Cloudflare.Env {}

/** A file's text, imported with Vite's `?raw` (tests compare docs with what the code says). */
declare module "*.md?raw" {
  const text: string;
  export default text;
}
