// Search my messages; choosing a hit opens its chat scrolled to it.

import { useState } from "preact/hooks";
import { previewText } from "../../shared/media-label";
import type { Message } from "../../shared/protocol";
import type { AppStore } from "../store/app-store";
import { errorText, FormError } from "./form-error";
import { shortWhen } from "./format";
import { chatTitle } from "./names";
import { TopBar } from "./top-bar";

export function Search({ store }: { store: AppStore }) {
  const [hits, setHits] = useState<Message[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  async function submit(event: Event) {
    event.preventDefault();
    const q = String(new FormData(event.currentTarget as HTMLFormElement).get("q") ?? "");
    try {
      const found = await store.api.search(q, 50);
      setHits(found);
      store.directory.needUsers(found.filter((m) => m.chat.startsWith("u:")).map((m) => m.chat.slice(2)));
      for (const m of found) if (m.chat.startsWith("g:")) void store.directory.needGroup(m.chat.slice(2));
      setError(null);
    } catch (err) {
      setError(errorText(err));
    }
  }

  function open(hit: Message) {
    store.chats.add(hit);
    store.views.showChat({ name: "chat", chat: hit.chat, focus: hit.id });
  }

  return (
    <section class="screen" aria-labelledby="search-title">
      <TopBar store={store} title={<h1 id="search-title">Search</h1>} />
      <form class="panel search-form" onSubmit={submit}>
        <label>
          Search messages
          <input name="q" type="search" required data-autofocus />
        </label>
        <button type="submit">Search</button>
      </form>
      <FormError text={error} />
      {hits !== null ? <p role="status">{hits.length === 0 ? "No messages found" : `${hits.length} found`}</p> : null}
      <ul class="chat-list" aria-label="Results">
        {(hits ?? []).map((hit) => (
          <li key={hit.id}>
            <button type="button" class="chat-row" onClick={() => open(hit)}>
              <span class="chat-main">
                <span class="chat-name">{chatTitle(store, hit.chat)}</span>
                <span class="chat-last">{previewText(hit)}</span>
              </span>
              <span class="chat-time">{shortWhen(hit.ts)}</span>
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
