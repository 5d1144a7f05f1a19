// The Hono environment of the entry Worker: its bindings and what the
// middleware leaves for the routes and the request log.

import type { ErrorCode } from "../shared/errors";

export interface AuthContext {
  userId: string;
  sessionId: string;
}

export interface AppEnv {
  Bindings: Env;
  Variables: {
    auth: AuthContext;
    /** Set by ops/request-log; also sent to the user object on /ws. */
    requestId: string;
    /** Set by the error handler, for the request log. */
    errorCode: ErrorCode;
  };
}
