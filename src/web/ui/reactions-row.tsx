// The reactions under a bubble: each emoji once with how many chose it, mine
// marked; a click shows who reacted with what (./reaction-dialogs.tsx).

import type { Message, Reaction } from "../../shared/protocol";
import type { AppStore } from "../store/app-store";

/** Emoji in the order they were first chosen, with their counts. */
export function countReactions(reactions: readonly Reaction[]): [string, number][] {
  const counts = new Map<string, number>();
  for (const r of reactions) counts.set(r.emoji, (counts.get(r.emoji) ?? 0) + 1);
  return [...counts];
}

export function ReactionsRow({ store, message }: { store: AppStore; message: Message }) {
  const reactions = message.reactions ?? [];
  if (reactions.length === 0 || message.deletedAt !== undefined) return null;
  const counts = countReactions(reactions);
  const mine = reactions.find((r) => r.from === store.userId)?.emoji;
  const label = `Reactions: ${counts.map(([emoji, n]) => `${emoji} ${n}`).join(", ")}`;
  return (
    <button
      type="button"
      class="reactions"
      tabIndex={-1}
      aria-label={label}
      onClick={() => store.dialogs.reactions(message)}
    >
      {counts.map(([emoji, n]) => (
        <span key={emoji} class={emoji === mine ? "reaction mine" : "reaction"}>
          {emoji}
          <span class="count">{n}</span>
        </span>
      ))}
    </button>
  );
}
