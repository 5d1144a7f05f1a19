// A registered user with a live Connection from the client module, recording
// every event it emits, for end-to-end tests.

import { Api, Connection, type ConnectionEvents, type ConnectionOptions } from "@edge-chat/client";
import type { Message, User } from "../../src/shared/protocol";

let counter = 0;

export function uniqueUsername(prefix: string): string {
  counter += 1;
  return `${prefix}_${process.pid}_${Date.now().toString(36)}_${counter}`.slice(0, 32);
}

export class ClientUser {
  readonly messages: Message[] = [];
  readonly events: { [K in keyof ConnectionEvents]?: ConnectionEvents[K][] } = {};
  connection!: Connection;

  private constructor(
    readonly api: Api,
    readonly user: User,
    readonly token: string,
  ) {}

  static async register(baseUrl: string, prefix: string): Promise<ClientUser> {
    const api = new Api({ baseUrl });
    const answer = await api.register(uniqueUsername(prefix), "client-password-123");
    return new ClientUser(api, answer.user, answer.token);
  }

  /** Opens a Connection (a new device); events are recorded from the start. */
  connect(options: Partial<ConnectionOptions> = {}): Connection {
    const connection = new Connection({
      baseUrl: this.api.baseUrl,
      token: this.token,
      userId: this.user.id,
      backoff: { baseMs: 100, maxMs: 1000 },
      // The e2e server drops a device silent for 3 s (SOCKET_TIMEOUT_MS).
      heartbeatMs: 1000,
      ...options,
    });
    const names: (keyof ConnectionEvents)[] = [
      "state",
      "message",
      "sent",
      "failed",
      "update",
      "removed",
      "receipt",
      "synced",
      "error",
    ];
    for (const name of names) {
      connection.on(name, (payload) => {
        const list = (this.events[name] ?? []) as unknown[];
        list.push(payload);
        this.events[name] = list as never;
      });
    }
    connection.on("message", (m) => this.messages.push(m));
    this.connection = connection;
    return connection.start();
  }

  of<K extends keyof ConnectionEvents>(name: K): ConnectionEvents[K][] {
    return (this.events[name] ?? []) as ConnectionEvents[K][];
  }
}
