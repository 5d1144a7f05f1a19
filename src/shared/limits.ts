// Every limit of the wire protocol and of the service, in one place.
// docs/protocol.md and docs/security.md list the same values.

export const USERNAME_PATTERN = /^[a-z0-9_.]{3,32}$/;
export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 128;
export const DISPLAY_NAME_MAX = 64;
export const ABOUT_MAX = 140;

export const TEXT_MAX = 4096; // characters (code points) per message
export const CLIENT_ID_MAX = 64;
export const FRAME_MAX_BYTES = 64 * 1024;
export const RECEIVED_IDS_MAX = 1000;
export const SUBSCRIBE_MAX = 500;
/** A reaction: one emoji of at most this many bytes of UTF-8 (the longest RGI sequences take 35). */
export const REACTION_MAX_BYTES = 64;
/** A forwarded message shows "Forwarded many times" from this many hops on, and goes to one chat at a time. */
export const FORWARDED_MANY = 5;

export const HISTORY_LIMIT_MAX = 100;
export const HISTORY_LIMIT_DEFAULT = 50;
export const SYNC_BATCH = 500; // mailbox rows read per step of a replay
/** A `replay` frame (sync with `batch: true`) carries at most this many entries, or about this many bytes. */
export const REPLAY_FRAME_ENTRIES_MAX = 200;
export const REPLAY_FRAME_BYTES = 32 * 1024;

export const GROUP_NAME_MAX = 100;
/** A group's description (PATCH /api/groups/:id), code points, one line as `about`. */
export const GROUP_DESCRIPTION_MAX = 512;
export const GROUP_MEMBERS_MAX = 1024;

export const AVATAR_MAX_BYTES = 1024 * 1024;

/** GET /api/search: `q` longer than this, or with more words, is refused (query_too_long). */
export const SEARCH_QUERY_MAX = 1000; // characters (code points)
export const SEARCH_WORDS_MAX = 32;
/** GET /api/users?ids=: ids per lookup. */
export const USER_LOOKUP_MAX = 100;

/** Frames a user may send per second, all devices together (token bucket). */
export const FRAME_RATE_PER_SECOND = 100;
export const FRAME_RATE_BURST = 200;

/** Failed logins for one username from one address within LOGIN_WINDOW_MS before 429 (see auth/login-limits.ts). */
export const LOGIN_FAILURES_MAX = 10;
/** Failed logins for one username from all addresses before only known devices may log in to it. */
export const LOGIN_FAILURES_PER_ACCOUNT_MAX = 50;
export const LOGIN_WINDOW_MS = 15 * 60 * 1000;

export const TOKEN_TTL_SECONDS = 30 * 24 * 60 * 60;
/** The HS256 key: at least this long, and in production this varied (distinct characters). */
export const JWT_SECRET_MIN = 32;
export const JWT_SECRET_DISTINCT_MIN = 12;

/** A device silent this long is dropped (the contract's 60 s). */
export const SOCKET_TIMEOUT_MS = 60_000;

/**
 * While nobody watches a user's presence, its silent sockets are swept this
 * many timeouts apart (10 min at the contract's 60 s) instead of at each
 * deadline: the object sleeps (is evicted) in between, and the presence it
 * answers is computed from the sockets' last signs of life anyway.
 */
export const UNWATCHED_SWEEP_TIMEOUTS = 10;
/** A device's sign of life is written to its socket's attachment at most this often. */
export const HEARD_GRANULARITY_MS = 5_000;
/** A presence subscription lives this long on the watched side unless renewed. */
export const PRESENCE_SUBSCRIPTION_TTL_MS = 10 * 60_000;
/** At most one `typing` relay per user per chat this often; extra ones are dropped. */
export const TYPING_INTERVAL_MS = 2_000;

/** Failed logins from one client address within LOGIN_WINDOW_MS before 429. */
export const LOGIN_FAILURES_PER_ADDRESS_MAX = 100;
/** Accounts registered from one client address per window before 429. */
export const REGISTRATIONS_PER_ADDRESS_MAX = 20;
export const REGISTRATION_WINDOW_MS = 60 * 60 * 1000;

/** Sockets (devices, tabs) one user may hold; beyond it the oldest is closed. */
export const SOCKETS_PER_USER_MAX = 10;

/** The sender may edit its message this long after sending it. */
export const EDIT_WINDOW_MS = 15 * 60 * 1000;
/** The sender may delete its message for everyone this long after sending it (group admins: always). */
export const DELETE_WINDOW_MS = 48 * 60 * 60 * 1000;
/** Characters of the quoted message that travel with a reply. */
export const QUOTE_EXCERPT_MAX = 100;
/** Users one user may block. */
export const BLOCKED_MAX = 10_000;

/** How far ahead a chat can be muted until a time ("always" has no end). */
export const MUTE_MAX_MS = 366 * 24 * 3600_000;

/** Web Push: the longest subscription endpoint taken, and subscriptions kept per user (the oldest goes). */
export const PUSH_ENDPOINT_MAX = 1024;
export const PUSH_SUBSCRIPTIONS_MAX = 10;
/** Active sessions (logged-in devices) per user; a new login drops the oldest beyond it. */
export const SESSIONS_PER_USER_MAX = 5;
/** A device name given at login or registration (without one, the User-Agent is the name). */
export const DEVICE_NAME_MAX = 64;
/** A session's "last active" time is written at most this often. */
export const SESSION_TOUCH_MS = 5 * 60 * 1000;

/** Groups one user may create per day (an anti-spam bound; joining is not limited). */
export const GROUPS_CREATED_PER_DAY = 50;
export const GROUP_CREATION_WINDOW_MS = 24 * 60 * 60 * 1000;
