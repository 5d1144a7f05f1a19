// Logging out on the server (./app-store.ts): the page's push subscription
// and the session's token end there too.

import { Api } from "@edge-chat/client";
import { unsubscribePush } from "./web-push";

/** How long logging out waits for the server before leaving anyway. */
const LOGOUT_WAIT_MS = 5_000;

export async function tellLogout(token: string | undefined): Promise<void> {
  // The server is told, but a slow or unreachable one does not keep the user logged in here:
  // after LOGOUT_WAIT_MS the page ends the session anyway, as it does when the call fails.
  // Its own client with the session's token: the calls still made after the wait keep it.
  const api = new Api({ baseUrl: "", token });
  const tell = (async () => {
    await unsubscribePush(api);
    await api.logout().catch(() => undefined);
  })();
  await Promise.race([tell, new Promise((resolve) => setTimeout(resolve, LOGOUT_WAIT_MS))]);
}
