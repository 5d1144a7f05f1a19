// The AsyncAPI 3.1 document of /ws, made from the frame schemas: the server
// receives the client frames (shared/schemas/client-frames.ts) and sends the
// server frames (server-frames.ts). Payloads are AsyncAPI schemas (JSON
// Schema draft-07), the named objects shared with the OpenAPI document.

import { version } from "../../../package.json";
import { PING, PONG } from "../../shared/protocol";
import { CLIENT_FRAMES } from "../../shared/schemas/client-frames";
import { socketQuery } from "../../shared/schemas/queries";
import { SERVER_FRAMES } from "../../shared/schemas/server-frames";
import { jsonSchema, namedSchemas } from "./json-schema";

const REF = "#/components/schemas/";
type Json = Record<string, unknown>;

const CLIENT_SUMMARIES: Record<keyof typeof CLIENT_FRAMES, string> = {
  send: "Send a message, or forward one (forward: the server copies it; retry with the same clientId: answered, stored once)",
  edit: "Edit my message, within 15 minutes",
  delete: "Delete a message for everyone, or for me",
  react: "Set, replace (an emoji) or remove (null) my one reaction to a message",
  received: "This device has these messages",
  read: "Read up to and including a message",
  sync: "Replay my mailbox after a seq (batch: in replay frames, and live batches too)",
  typing: "I am typing in a chat",
  subscribe: "Presence of these users, now and at every change",
};

const SERVER_SUMMARIES: Record<keyof typeof SERVER_FRAMES, string> = {
  sent: "A send is stored durably",
  message: "A new message in my mailbox",
  update: "A message was edited, deleted for everyone or reacted to",
  removed: "I deleted a message for me",
  receipt: "My messages were delivered or read",
  presence: "A watched user's presence",
  typing: "Someone is typing",
  synced: "The replay asked for is complete",
  chat: "A chat's unread count or mute changed (another device read it, a route muted it)",
  replay: "Mailbox entries, many to a frame: a replay, or entries that came together live (after sync with batch)",
  error: "A frame was refused; the socket stays open",
};

function messages(frames: Record<string, Parameters<typeof jsonSchema>[0]>, side: string, summaries: Json): Json {
  return Object.fromEntries(
    Object.entries(frames).map(([type, schema]) => [
      `${side}.${type}`,
      { name: type, summary: summaries[type], payload: jsonSchema(schema, "draft-07", REF) },
    ]),
  );
}

function heartbeat(text: string, summary: string): Json {
  return { name: text, summary, contentType: "text/plain", payload: { type: "string", const: text } };
}

/** The document; made once per isolate. */
export function asyncApiDocument(): Json {
  const received = {
    ...messages(CLIENT_FRAMES, "client", CLIENT_SUMMARIES),
    "client.ping": heartbeat(PING, "Heartbeat, at least every 30 s"),
  };
  const sent = {
    ...messages(SERVER_FRAMES, "server", SERVER_SUMMARIES),
    "server.pong": heartbeat(PONG, "Heartbeat answer"),
  };
  const refs = (all: Json) => Object.keys(all).map((key) => ({ $ref: `#/channels/socket/messages/${key}` }));
  return {
    asyncapi: "3.1.0",
    info: {
      title: "edge-chat WebSocket",
      version,
      description:
        "The frames of /ws: JSON text frames of at most 64 KiB, but the ping heartbeat. A bad frame is " +
        "answered by an error frame and the socket stays open. HTTP: /api/openapi.json. Prose: docs/protocol.md.",
    },
    servers: {
      local: { host: "localhost:8787", protocol: "ws", description: "npm start" },
    },
    defaultContentType: "application/json",
    channels: {
      socket: {
        address: "/ws",
        title: "One device's socket",
        description: "Authenticated by ?token=<token> or the token as the Sec-WebSocket-Protocol value.",
        messages: { ...received, ...sent },
        bindings: { ws: { query: jsonSchema(socketQuery, "draft-07", REF), bindingVersion: "0.1.0" } },
      },
    },
    operations: {
      clientFrames: {
        action: "receive",
        title: "Frames a client sends",
        channel: { $ref: "#/channels/socket" },
        messages: refs(received),
      },
      serverFrames: {
        action: "send",
        title: "Frames the server sends",
        channel: { $ref: "#/channels/socket" },
        messages: refs(sent),
      },
    },
    components: { schemas: namedSchemas("draft-07", REF) },
  };
}
