// A message action over a raw socket: send the frame, wait for the answer that
// names its clientId (update, removed, sent or error). For the end-to-end
// tests of actions, reactions and forwarding.

import type { ServerFrame } from "../../src/shared/protocol";
import type { RawSocket } from "./raw-socket";

export type Answer = Extract<ServerFrame, { type: "update" | "removed" | "error" | "sent" }>;

export function act(socket: RawSocket, frame: { clientId: string; [key: string]: unknown }): Promise<Answer> {
  socket.send(frame);
  return socket.until(
    (s) =>
      s.frames.find(
        (f): f is Answer =>
          typeof f !== "string" &&
          (f.type === "update" || f.type === "removed" || f.type === "error" || f.type === "sent") &&
          f.clientId === frame.clientId,
      ),
    15_000,
    `the answer to ${frame.clientId}`,
  );
}
