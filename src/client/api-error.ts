// What a failed call to the service throws: the service's error code (see
// src/shared/errors.ts; a newer server may send codes this client does not
// know, so it is a plain string here), the HTTP status, and the message.

export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    /** HTTP status; 0 when the server could not be reached. */
    readonly status: number,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

export async function errorFrom(res: Response): Promise<ApiError> {
  try {
    const body = (await res.json()) as { error?: { code?: unknown; message?: unknown } };
    if (typeof body.error?.code === "string") {
      return new ApiError(body.error.code, String(body.error.message ?? body.error.code), res.status);
    }
  } catch {
    // not JSON: fall through
  }
  return new ApiError(res.status >= 500 ? "unavailable" : "http_error", `HTTP ${res.status}`, res.status);
}
