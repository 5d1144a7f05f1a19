// @edge-chat/client (this folder is the package; README.md): the one
// implementation of the protocol, used by the web page, the end-to-end tests
// and the benchmark through its name. `Api` is the HTTP half, `Connection` the
// live socket. See docs/client.md.

export type {
  AuthAnswer,
  ChatId,
  ChatSummary,
  ClientFrame,
  Group,
  Me,
  Message,
  Presence,
  ReceiptStatus,
  ServerFrame,
  User,
} from "../shared/protocol";
export { ApiError } from "./api-error";
export { Backoff, type BackoffOptions } from "./backoff";
export { ids as clientIds } from "./client-id";
export { Connection, type ConnectionOptions } from "./connection";
export type { ConnectionEvents, ConnectionState, SentEvent } from "./events";
export { Api, type ApiOptions } from "./http";
export type { QueuedSend, QueueStore } from "./outgoing-queue";
