// The parts of Profile and settings beyond the profile form: the theme,
// blocked contacts (with unblock), and the linked devices (last use, online,
// remote log-out after a confirmation).

import { useEffect, useState } from "preact/hooks";
import type { SessionInfo } from "../../shared/protocol";
import type { AppStore } from "../store/app-store";
import { errorText, FormError } from "./form-error";
import { fullWhen } from "./format";
import { setTheme, storedTheme, type Theme } from "./theme";

const THEMES: [Theme, string][] = [
  ["system", "As the system"],
  ["light", "Light"],
  ["dark", "Dark"],
];

export function ThemeChoice() {
  const [theme, choose] = useState<Theme>(storedTheme);
  return (
    <fieldset class="theme-choice">
      <legend class="sr-only">Theme</legend>
      {THEMES.map(([value, label]) => (
        <label key={value}>
          <input
            type="radio"
            name="theme"
            value={value}
            checked={theme === value}
            onChange={() => {
              setTheme(value);
              choose(value);
            }}
          />
          {label}
        </label>
      ))}
    </fieldset>
  );
}

export function BlockedList({ store }: { store: AppStore }) {
  const [error, setError] = useState<string | null>(null);
  const blocked = [...store.blocks.list.values()];
  return (
    <>
      {blocked.length === 0 ? <p class="empty">Nobody is blocked.</p> : null}
      <ul class="settings-list" aria-label="Blocked contacts">
        {blocked.map(({ user, since }) => (
          <li key={user.id}>
            <span>
              {user.displayName}
              <span class="detail">
                @{user.username}, blocked {fullWhen(since)}
              </span>
            </span>
            <button
              type="button"
              onClick={() =>
                store.blocks.unblock(user.id).then(
                  () => setError(null),
                  (err) => setError(errorText(err)),
                )
              }
            >
              Unblock {user.displayName}
            </button>
          </li>
        ))}
      </ul>
      <FormError text={error} />
    </>
  );
}

export function LinkedDevices({ store }: { store: AppStore }) {
  const [sessions, setSessions] = useState<SessionInfo[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = () => store.api.sessions().then(setSessions, (err) => setError(errorText(err)));
  useEffect(() => void load(), []);

  const logOut = (session: SessionInfo) =>
    store.ask({
      title: `Log out ${session.device}?`,
      body: "That device will have to log in again to use this account.",
      choices: [
        {
          label: "Log out",
          danger: true,
          run: () =>
            void store.api.endSession(session.id).then(
              () => load(),
              (err) => setError(errorText(err)),
            ),
        },
      ],
    });

  return (
    <>
      <ul class="settings-list" aria-label="Linked devices">
        {(sessions ?? []).map((session) => (
          <li key={session.id}>
            <span>
              {session.device}
              <span class="detail">
                {session.current
                  ? "This device"
                  : session.online
                    ? "Online now"
                    : `Last active ${fullWhen(session.lastActiveAt)}`}
              </span>
            </span>
            {session.current ? null : (
              <button type="button" onClick={() => logOut(session)}>
                Log out {session.device}
              </button>
            )}
          </li>
        ))}
      </ul>
      <FormError text={error} />
    </>
  );
}
