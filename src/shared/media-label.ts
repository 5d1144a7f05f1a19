// What a message with media and no caption says in one line (chat list,
// quotes, notifications, search hits): what it is, in words.

import type { Media } from "./schemas/media";

export function mediaLabel(media: Pick<Media, "kind" | "name">): string {
  if (media.kind === "photo") return "📷 Photo";
  if (media.kind === "voice") return "🎤 Voice message";
  return `📄 ${media.name ?? "File"}`;
}

/** A message's text, or for media without a caption its label. */
export function previewText(message: { text: string; media?: Pick<Media, "kind" | "name"> | undefined }): string {
  return message.text || (message.media ? mediaLabel(message.media) : "");
}
