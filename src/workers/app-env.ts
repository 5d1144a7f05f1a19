// The Hono environment of the entry Worker: its bindings and what the auth
// middleware leaves for the routes.

export interface AuthContext {
  userId: string;
  sessionId: string;
}

export interface AppEnv {
  Bindings: Env;
  Variables: { auth: AuthContext };
}
