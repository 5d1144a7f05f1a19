// Start a chat by username.

import { useState } from "preact/hooks";
import type { AppStore } from "../store/app-store";
import { errorText, FormError } from "./form-error";
import { TopBar } from "./top-bar";

export function NewChat({ store }: { store: AppStore }) {
  const [error, setError] = useState<string | null>(null);

  async function submit(event: Event) {
    event.preventDefault();
    const username = String(new FormData(event.currentTarget as HTMLFormElement).get("username") ?? "");
    try {
      const user = await store.findUser(username);
      store.views.back();
      store.views.showChat({ name: "chat", chat: `u:${user.id}` });
    } catch (err) {
      setError(errorText(err));
    }
  }

  return (
    <section class="screen" aria-labelledby="new-chat-title">
      <TopBar store={store} title={<h1 id="new-chat-title">New chat</h1>} />
      <form class="panel" onSubmit={submit}>
        <label>
          Username
          <input name="username" required autocomplete="off" data-autofocus />
        </label>
        <FormError text={error} />
        <button type="submit" class="primary">
          Start chat
        </button>
      </form>
    </section>
  );
}
