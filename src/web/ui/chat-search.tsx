// Search inside the open chat (the messages the page holds): every match is
// marked in its bubble, the current one is scrolled to; Enter or the arrows
// step to older and newer matches.

import type { Message } from "../../shared/protocol";
import { Icon } from "./icons";

export function matchesOf(messages: Message[], query: string): Message[] {
  const q = query.trim().toLowerCase();
  if (q === "") return [];
  return messages.filter((m) => m.deletedAt === undefined && !m.system && m.text.toLowerCase().includes(q));
}

export function ChatSearch({
  query,
  count,
  current,
  onQuery,
  onStep,
  onClose,
}: {
  query: string;
  count: number;
  current: number;
  onQuery: (q: string) => void;
  onStep: (delta: number) => void;
  onClose: () => void;
}) {
  const status = query.trim() === "" ? "" : count === 0 ? "No matches" : `${current + 1} of ${count}`;
  return (
    <search class="chat-search">
      <label class="sr-only" for="chat-search-box">
        Search in chat
      </label>
      <input
        id="chat-search-box"
        type="search"
        placeholder="Search in chat"
        value={query}
        data-autofocus
        onInput={(e) => onQuery(e.currentTarget.value)}
        onKeyDown={(e) => {
          if (e.key === "Enter") {
            e.preventDefault();
            onStep(e.shiftKey ? 1 : -1);
          } else if (e.key === "Escape") {
            e.preventDefault();
            e.stopPropagation();
            onClose();
          }
        }}
      />
      <span class="chat-search-count" role="status">
        {status}
      </span>
      <button type="button" class="icon" aria-label="Older match" disabled={count === 0} onClick={() => onStep(-1)}>
        <Icon name="up" />
      </button>
      <button type="button" class="icon" aria-label="Newer match" disabled={count === 0} onClick={() => onStep(1)}>
        <Icon name="down" />
      </button>
      <button type="button" class="icon" aria-label="Close search" onClick={onClose}>
        <Icon name="close" />
      </button>
    </search>
  );
}
