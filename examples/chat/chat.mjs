// @ts-check
// Two new users say hello through @edge-chat/client, against the server of
// `npm start` (BASE_URL, default http://localhost:8787). README.md says how
// to install the package from its tarball.
import { Api, Connection } from "@edge-chat/client";

const baseUrl = process.env.BASE_URL ?? "http://localhost:8787";
const suffix = Math.random().toString(36).slice(2, 10);

/**
 * Registers `name`, opens a live connection, and prints what others send it.
 * @param {string} name
 */
async function join(name) {
  const api = new Api({ baseUrl });
  const { token, user } = await api.register(`${name}_${suffix}`, "correct horse battery");
  const conn = new Connection({ baseUrl, token, userId: user.id }).start();
  const heard = new Promise((resolve) =>
    conn.on("message", (m) => {
      if (m.from === user.id) return; // its own, echoed to its devices
      console.log(`${name} got: ${m.text}`);
      resolve(m);
    }),
  );
  return { user, conn, heard };
}

const alice = await join("alice");
const bob = await join("bob");
await alice.conn.sendAndWait(`u:${bob.user.id}`, "hello bob!"); // resolves once the server stored it
await bob.heard;
await bob.conn.sendAndWait(`u:${alice.user.id}`, "hi alice!");
await alice.heard;
alice.conn.close();
bob.conn.close();
