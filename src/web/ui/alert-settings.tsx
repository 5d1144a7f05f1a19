// Settings for what tells me of new messages: browser notifications (turned
// on by a click here, the only place the page asks for the permission; Web
// Push for closed tabs follows) and the sound (on by default, kept in
// localStorage).

import { useState } from "preact/hooks";
import type { NotificationState } from "../store/alerts";
import type { AppStore } from "../store/app-store";
import { subscribePush } from "../store/web-push";

const STATE_WORDS: Record<NotificationState, string> = {
  unsupported: "This browser cannot show notifications.",
  default: "Notifications are off.",
  granted: "Notifications are on while this tab is in the background.",
  denied: "Notifications are blocked in the browser's site settings.",
};

export function AlertSettings({ store }: { store: AppStore }) {
  const [state, setState] = useState<NotificationState>(() => store.alerts.notificationState());
  const [sound, setSound] = useState(() => store.alerts.soundOn());
  return (
    <div class="panel alert-settings">
      <p role="status">{STATE_WORDS[state]}</p>
      {state === "default" ? (
        <button
          type="button"
          onClick={() =>
            void store.alerts.enableNotifications().then((next) => {
              setState(next);
              // Also with the tab closed, where the browser and the server can (store/web-push.ts).
              if (next === "granted") void subscribePush(store.api);
            })
          }
        >
          Turn on notifications
        </button>
      ) : null}
      <label class="check">
        <input
          type="checkbox"
          checked={sound}
          onChange={(e) => {
            const on = e.currentTarget.checked;
            store.alerts.setSound(on);
            setSound(on);
          }}
        />
        Sound for new messages
      </label>
    </div>
  );
}
