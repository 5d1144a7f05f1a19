// Reacting to a message (a few quick emoji, or any one typed; choosing mine
// again takes it back) and seeing who reacted with what (mine removable).

import { useState } from "preact/hooks";
import { isEmoji } from "../../shared/emoji";
import type { Message } from "../../shared/protocol";
import type { AppStore } from "../store/app-store";
import { Modal } from "./modal";
import { countReactions } from "./reactions-row";

const QUICK = ["👍", "❤️", "😂", "😮", "😢", "🙏"];

export function ReactDialog({ store, message }: { store: AppStore; message: Message }) {
  const [typed, setTyped] = useState("");
  const [error, setError] = useState<string | null>(null);
  const mine = message.reactions?.find((r) => r.from === store.userId)?.emoji;
  const close = () => store.dialogs.close();
  const choose = (emoji: string | null) => {
    close();
    void store.react(message, emoji);
  };
  return (
    <Modal id="react" title="React to message" className="react-dialog" onClose={close}>
      <fieldset class="quick-reactions">
        <legend class="sr-only">Quick reactions</legend>
        {QUICK.map((emoji) => (
          <button
            key={emoji}
            type="button"
            aria-label={`React with ${emoji}`}
            aria-pressed={emoji === mine ? "true" : "false"}
            onClick={() => choose(emoji === mine ? null : emoji)}
          >
            {emoji}
          </button>
        ))}
      </fieldset>
      <form
        class="any-emoji"
        onSubmit={(e) => {
          e.preventDefault();
          const emoji = typed.trim();
          if (!isEmoji(emoji)) return setError("Type one emoji.");
          choose(emoji === mine ? null : emoji);
        }}
      >
        <label for="any-emoji">Any emoji</label>
        <input
          id="any-emoji"
          value={typed}
          autoComplete="off"
          aria-invalid={error ? "true" : undefined}
          aria-describedby="any-emoji-error"
          onInput={(e) => {
            setTyped(e.currentTarget.value);
            setError(null);
          }}
        />
        <button type="submit">React</button>
        <p id="any-emoji-error" class="form-error" role="alert">
          {error ?? ""}
        </p>
      </form>
      <div class="confirm-buttons">
        {mine ? (
          <button type="button" onClick={() => choose(null)}>
            Remove my reaction
          </button>
        ) : null}
        <button type="button" onClick={close}>
          Cancel
        </button>
      </div>
    </Modal>
  );
}

export function ReactionsDialog({ store, message }: { store: AppStore; message: Message }) {
  const reactions = message.reactions ?? [];
  const close = () => store.dialogs.close();
  const summary = countReactions(reactions)
    .map(([emoji, n]) => `${emoji} ${n}`)
    .join("  ");
  return (
    <Modal id="reactions" title="Reactions" className="reactions-dialog" onClose={close}>
      <p class="reaction-summary">{reactions.length === 0 ? "No reactions" : summary}</p>
      <ul class="reactors" aria-label="Who reacted">
        {reactions.map((r) => {
          const me = r.from === store.userId;
          return (
            <li key={r.from}>
              <span class="reactor">{me ? "You" : store.directory.userName(r.from)}</span>
              <span class="reactor-emoji">{r.emoji}</span>
              {me ? (
                <button
                  type="button"
                  class="link"
                  onClick={() => {
                    close();
                    void store.react(message, null);
                  }}
                >
                  Remove
                </button>
              ) : null}
            </li>
          );
        })}
      </ul>
      <div class="confirm-buttons">
        <button type="button" onClick={close}>
          Close
        </button>
      </div>
    </Modal>
  );
}
