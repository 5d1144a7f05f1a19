// A group's notices in words: "Eve was added by you", "You renamed the group to “Trip”".

import type { Message } from "../../shared/protocol";
import type { AppStore } from "../store/app-store";

export function systemText(store: AppStore, message: Message): string {
  const event = message.system;
  if (!event) return message.text;
  const you = event.user === store.userId;
  const who = you ? "You" : store.directory.userName(event.user);
  const by = event.by ? (event.by === store.userId ? "you" : store.directory.userName(event.by)) : null;
  const was = you ? "were" : "was";
  switch (event.event) {
    case "created":
      return `${who} created the group`;
    case "added":
      return `${who} ${was} added${by ? ` by ${by}` : ""}`;
    case "removed":
      return `${who} ${was} removed${by ? ` by ${by}` : ""}`;
    case "left":
      return `${who} left`;
    case "renamed":
      return `${who} changed the group name to “${message.text}”`;
    case "described":
      return message.text === ""
        ? `${who} removed the group description`
        : `${who} changed the group description to “${message.text}”`;
    case "pictured":
      return `${who} changed the group picture`;
    case "unpictured":
      return `${who} removed the group picture`;
    default:
      return message.text || "The group changed";
  }
}
