// Every error the service can answer, by code. The HTTP status lives here too,
// so that one table maps an error to an HTTP answer or to an `error` frame.
// Clients branch on `code`; `message` is for people.

export const ERROR_STATUS = {
  // 400: the request itself is wrong
  invalid_json: 400,
  invalid_body: 400,
  invalid_field: 400,
  invalid_username: 400,
  invalid_password: 400,
  invalid_chat: 400,
  text_too_long: 400,
  query_too_long: 400,
  unknown_type: 400,
  bad_frame: 400,
  invalid_reply: 400,
  invalid_emoji: 400,
  invalid_forward: 400,
  // an upload of no bytes; a media reference that does not match its upload
  empty_file: 400,
  invalid_media: 400,
  // 401: who are you?
  unauthorized: 401,
  bad_credentials: 401,
  // 403: you may not
  forbidden: 403,
  not_member: 403,
  not_your_message: 403,
  too_late: 403,
  blocked: 403,
  // The person does not accept this from the caller (a privacy refusal; a block is one, and says no more).
  not_allowed: 403,
  // 404: no such thing
  not_found: 404,
  unknown_user: 404,
  unknown_group: 404,
  unknown_member: 404,
  unknown_message: 404,
  unknown_session: 404,
  unknown_media: 404,
  // 409: conflicts with what exists
  username_taken: 409,
  already_member: 409,
  group_full: 409,
  message_deleted: 409,
  message_archived: 409,
  too_many_blocked: 409,
  // 413, 415
  too_large: 413,
  unsupported_media: 415,
  // 429: slow down
  too_many_attempts: 429,
  rate_limited: 429,
  too_many_sockets: 429,
  too_many_groups: 429,
  // the per-user media allowance of the last 24 hours (bytes or uploads)
  quota_exceeded: 429,
  // 5xx: our fault, retry later
  internal: 500,
  archive_unreadable: 500,
  unavailable: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

/** The one error type thrown anywhere in the service. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  /** Seconds after which a retry may succeed (429 / 503). */
  readonly retryAfter?: number;

  constructor(code: ErrorCode, message: string, opts: { retryAfter?: number } = {}) {
    super(message);
    this.name = "AppError";
    this.code = code;
    this.status = ERROR_STATUS[code];
    if (opts.retryAfter !== undefined) this.retryAfter = opts.retryAfter;
  }
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === "string" && Object.hasOwn(ERROR_STATUS, value);
}

/** The JSON body of every HTTP error. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string };
}

export function errorBody(err: AppError): ErrorBody {
  return { error: { code: err.code, message: err.message } };
}

/**
 * Durable Object RPC does not carry an Error's own fields across, so objects
 * return failures as values and the caller rethrows them as AppError.
 */
export type Result<T> = { ok: true; value: T } | { ok: false; error: { code: ErrorCode; message: string } };

export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

export function fail<T = never>(err: AppError): Result<T> {
  return { ok: false, error: { code: err.code, message: err.message } };
}

/** Unwraps an RPC result: the value, or the AppError it carried. */
export function unwrap<T>(result: Result<T>): T {
  if (result.ok) return result.value;
  throw new AppError(result.error.code, result.error.message);
}

/** Runs `job` for an RPC answer: an AppError it throws becomes a failed Result; anything else is thrown on. */
export async function settle<T>(job: () => Promise<T> | T): Promise<Result<T>> {
  try {
    return ok(await job());
  } catch (err) {
    if (err instanceof AppError) return fail(err);
    throw err;
  }
}
