// Says so when the page is not connected, so queued messages make sense.

import type { AppStore } from "../store/app-store";

const TEXT: Partial<Record<string, string>> = {
  connecting: "Connecting…",
  syncing: "Updating…",
  offline: "Offline. Messages will be sent when the connection is back.",
};

export function ConnectionBanner({ store }: { store: AppStore }) {
  const text = TEXT[store.connectionState];
  return (
    <div class="banner" role="status" data-state={store.connectionState}>
      {text ?? ""}
    </div>
  );
}
