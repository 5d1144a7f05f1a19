// The message box: Enter sends, Shift+Enter is a new line, Escape cancels a
// reply or an edit. Typing tells the other side at most once every 3 s. What
// is typed stays as the chat's draft (store/drafts.ts) until it is sent. Above
// the box: the message being answered, or the one being edited.

import { useLayoutEffect, useRef, useState } from "preact/hooks";
import { TEXT_MAX } from "../../shared/limits";
import { previewText } from "../../shared/media-label";
import type { ChatId, Message } from "../../shared/protocol";
import type { AppStore } from "../store/app-store";
import { Attachments } from "./attach";
import { errorText } from "./form-error";
import { Icon } from "./icons";

const TYPING_EVERY_MS = 3000;

export interface ComposerProps {
  store: AppStore;
  chat: ChatId;
  replyTo: Message | null;
  editing: Message | null;
  onDone: () => void;
}

export function Composer({ store, chat, replyTo, editing, onDone }: ComposerProps) {
  const [text, setText] = useState(() => store.drafts?.get(chat) ?? "");
  const [error, setError] = useState<string | null>(null);
  const lastTyping = useRef(0);
  const box = useRef<HTMLTextAreaElement>(null);
  // The upload's callback was made when the file was chosen: it reads the box as it is now.
  const latest = useRef(text);
  latest.current = text;

  // Editing starts from the message's text; leaving the edit brings the draft back.
  // A layout effect, so the box holds the text (and the focus) in the same task as
  // the click on Edit: an effect ran a frame later, and a key pressed in between
  // was overwritten (and a test reading the box at once saw it empty).
  useLayoutEffect(() => {
    setText(editing ? editing.text : (store.drafts?.get(chat) ?? ""));
    if (editing || replyTo) box.current?.focus();
  }, [editing?.id, replyTo?.id]);

  function send() {
    if (text.trim() === "") return;
    try {
      if (editing) {
        if (text !== editing.text) void store.change((c) => c.edit(editing.id, text));
      } else {
        store.send(chat, text, replyTo?.id);
        store.drafts?.set(chat, "");
      }
      setText(editing ? (store.drafts?.get(chat) ?? "") : "");
      setError(null);
      onDone();
    } catch (err) {
      setError(errorText(err));
    }
  }

  function onInput(value: string) {
    setText(value);
    if (!editing) store.drafts?.set(chat, value);
    const now = Date.now();
    if (now - lastTyping.current > TYPING_EVERY_MS) {
      lastTyping.current = now;
      store.connection?.typing(chat);
    }
  }

  const about = editing ?? replyTo;
  return (
    <form
      class="composer"
      onSubmit={(e) => {
        e.preventDefault();
        send();
      }}
    >
      {about ? (
        <div class="compose-about">
          <span class="quote static">
            <span class="quote-from">
              {editing
                ? "Edit message"
                : `Replying to ${about.from === store.userId ? "yourself" : store.directory.userName(about.from)}`}
            </span>
            <span class="quote-text">{previewText(about)}</span>
          </span>
          <button type="button" class="icon" aria-label={editing ? "Cancel edit" : "Cancel reply"} onClick={onDone}>
            <Icon name="close" />
          </button>
        </div>
      ) : null}
      <label class="sr-only" for="composer-text">
        Message
      </label>
      <textarea
        id="composer-text"
        ref={box}
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
          } else if (e.key === "Escape" && about) {
            e.preventDefault();
            e.stopPropagation();
            onDone();
          }
        }}
      />
      {/* After the box: Shift+Tab from it still reaches the messages (keyboard.test, actions.test). */}
      <Attachments
        store={store}
        chat={chat}
        replyTo={replyTo?.id}
        disabled={editing !== null}
        onMedia={(media) => {
          // The text in the box when the upload ends goes with it as its caption.
          const typed = latest.current;
          const caption = typed.trim() === "" ? "" : typed;
          try {
            store.send(chat, caption, replyTo?.id, media);
            store.drafts?.set(chat, "");
            setText("");
            setError(null);
            onDone();
          } catch (err) {
            setError(errorText(err));
          }
        }}
      />
      <button type="submit" class="primary" aria-label={editing ? "Save edit" : "Send"}>
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
