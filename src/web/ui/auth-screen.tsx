// Register or log in: one form, two modes.

import { useState } from "preact/hooks";
import type { AppStore } from "../store/app-store";
import { errorText, FormError } from "./form-error";

export function AuthScreen({ store }: { store: AppStore }) {
  const [mode, setMode] = useState<"login" | "register">("login");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: Event) {
    event.preventDefault();
    const data = new FormData(event.currentTarget as HTMLFormElement);
    const username = String(data.get("username") ?? "");
    const password = String(data.get("password") ?? "");
    setBusy(true);
    setError(null);
    try {
      if (mode === "login") await store.login(username, password);
      else await store.register(username, password, String(data.get("displayName") ?? "").trim());
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  }

  const registering = mode === "register";
  return (
    <main class="auth" aria-labelledby="auth-title">
      <h1 id="auth-title">{registering ? "Create an account" : "Log in to Edge Chat"}</h1>
      <form onSubmit={submit} aria-busy={busy}>
        <label>
          Username
          <input name="username" autocomplete="username" required minLength={3} maxLength={32} data-autofocus />
        </label>
        {registering ? (
          <label>
            Display name (optional)
            <input name="displayName" autocomplete="nickname" maxLength={64} />
          </label>
        ) : null}
        <label>
          Password
          <input
            name="password"
            type="password"
            autocomplete={registering ? "new-password" : "current-password"}
            required
            minLength={registering ? 8 : 1}
          />
        </label>
        <FormError text={error} />
        <button type="submit" class="primary" disabled={busy}>
          {registering ? "Register" : "Log in"}
        </button>
      </form>
      <button type="button" class="link" onClick={() => setMode(registering ? "login" : "register")}>
        {registering ? "I have an account: log in" : "New here? Create an account"}
      </button>
    </main>
  );
}
