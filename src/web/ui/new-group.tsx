// Create a group: a name and members by username.

import { useState } from "preact/hooks";
import type { User } from "../../shared/protocol";
import type { AppStore } from "../store/app-store";
import { errorText, FormError } from "./form-error";
import { TopBar } from "./top-bar";

export function NewGroup({ store }: { store: AppStore }) {
  const [members, setMembers] = useState<User[]>([]);
  const [error, setError] = useState<string | null>(null);

  async function addMember(event: Event) {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const username = String(new FormData(form).get("username") ?? "");
    try {
      const user = await store.findUser(username);
      if (!members.some((m) => m.id === user.id)) setMembers([...members, user]);
      form.reset();
      setError(null);
    } catch (err) {
      setError(errorText(err));
    }
  }

  async function create(event: Event) {
    event.preventDefault();
    const name = String(new FormData(event.currentTarget as HTMLFormElement).get("name") ?? "");
    try {
      const group = await store.api.createGroup(
        name,
        members.map((m) => m.id),
      );
      store.directory.putGroup(group);
      store.views.back();
      store.views.showChat({ name: "chat", chat: `g:${group.id}` });
    } catch (err) {
      setError(errorText(err));
    }
  }

  return (
    <section class="screen" aria-labelledby="new-group-title">
      <TopBar store={store} title={<h1 id="new-group-title">New group</h1>} />
      <form class="panel" id="add-member" onSubmit={addMember}>
        <label>
          Add a member by username
          <input name="username" autocomplete="off" required />
        </label>
        <button type="submit">Add</button>
      </form>
      <ul class="members" aria-label="Members to add">
        {members.map((m) => (
          <li key={m.id}>
            <span>{m.displayName}</span>
            <button type="button" class="link" onClick={() => setMembers(members.filter((x) => x.id !== m.id))}>
              Remove {m.displayName}
            </button>
          </li>
        ))}
      </ul>
      <form class="panel" onSubmit={create}>
        <label>
          Group name
          <input name="name" required maxLength={100} />
        </label>
        <FormError text={error} />
        <button type="submit" class="primary">
          Create group
        </button>
      </form>
    </section>
  );
}
