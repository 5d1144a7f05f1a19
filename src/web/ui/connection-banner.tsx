// Says so when the page is not connected, so queued messages make sense.

import type { AppStore } from "../store/app-store";

const TEXT: Partial<Record<string, string>> = {
  connecting: "Connecting…",
  syncing: "Updating…",
  offline: "Offline. Messages will be sent when the connection is back.",
  closed: "Disconnected: this account is open on too many devices. Reload the page to reconnect.",
};

export function ConnectionBanner({ store }: { store: AppStore }) {
  const text = TEXT[store.connectionState];
  return (
    <div class="banner" role="status" data-state={store.connectionState}>
      {text ?? ""}
    </div>
  );
}
