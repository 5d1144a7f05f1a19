// The message box: Enter sends, Shift+Enter is a new line. Typing tells the
// other side at most once every 3 s.

import { useRef, useState } from "preact/hooks";
import { TEXT_MAX } from "../../shared/limits";
import type { ChatId } from "../../shared/protocol";
import type { AppStore } from "../store/app-store";
import { errorText } from "./form-error";
import { Icon } from "./icons";

const TYPING_EVERY_MS = 3000;

export function Composer({ store, chat }: { store: AppStore; chat: ChatId }) {
  const [text, setText] = useState("");
  const [error, setError] = useState<string | null>(null);
  const lastTyping = useRef(0);

  function send() {
    if (text.trim() === "") return;
    try {
      store.send(chat, text);
      setText("");
      setError(null);
    } catch (err) {
      setError(errorText(err));
    }
  }

  function onInput(value: string) {
    setText(value);
    const now = Date.now();
    if (now - lastTyping.current > TYPING_EVERY_MS) {
      lastTyping.current = now;
      store.connection?.typing(chat);
    }
  }

  return (
    <form
      class="composer"
      onSubmit={(e) => {
        e.preventDefault();
        send();
      }}
    >
      <label class="sr-only" for="composer-text">
        Message
      </label>
      <textarea
        id="composer-text"
        data-autofocus
        rows={1}
        maxLength={TEXT_MAX * 2}
        placeholder="Message"
        value={text}
        onInput={(e) => onInput((e.currentTarget as HTMLTextAreaElement).value)}
        onKeyDown={(e) => {
          if (e.key === "Enter" && !e.shiftKey) {
            e.preventDefault();
            send();
          }
        }}
      />
      <button type="submit" class="primary" aria-label="Send">
        <Icon name="send" />
      </button>
      {error ? (
        <p class="form-error" role="alert">
          {error}
        </p>
      ) : null}
    </form>
  );
}
