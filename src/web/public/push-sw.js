// Web Push in the service worker (imported by the Workbox worker that
// vite-plugin-pwa generates; src/web/vite.config.ts). The server pushes only
// when no device of the user is connected (docs/protocol.md, "Web Push"), so
// every push becomes a notification (browsers require one for each): the
// sender's name and the text, one per chat (tag), a newer one replacing it.
// A click focuses an open tab or opens one, at the chat (`/?chat=`).

self.addEventListener("push", (event) => {
  let note = {};
  try {
    note = event.data ? event.data.json() : {};
  } catch {
    note = {};
  }
  const title = typeof note.name === "string" && note.name ? note.name : "New message";
  const chat = typeof note.chat === "string" ? note.chat : "";
  event.waitUntil(
    self.registration.showNotification(title, {
      body: typeof note.text === "string" ? note.text : "",
      tag: chat || "edge-chat",
      icon: "/icon-192.png",
      data: { chat },
    }),
  );
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const chat = event.notification.data?.chat ?? "";
  const url = chat ? `/?chat=${encodeURIComponent(chat)}` : "/";
  event.waitUntil(
    (async () => {
      const open = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
      const client = open[0];
      if (client) {
        await client.focus();
        client.postMessage({ type: "open-chat", chat });
        return;
      }
      await self.clients.openWindow(url);
    })(),
  );
});
