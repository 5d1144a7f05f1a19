// A group's info: its picture, name and description (group-details.tsx), its
// members: admins add and remove, anyone can leave.

import { useEffect, useState } from "preact/hooks";
import type { AppStore } from "../store/app-store";
import { errorText, FormError } from "./form-error";
import { GroupDetails } from "./group-details";
import { TopBar } from "./top-bar";

export function GroupInfo({ store, groupId }: { store: AppStore; groupId: string }) {
  const [error, setError] = useState<string | null>(null);
  useEffect(() => void store.directory.needGroup(groupId, true), [groupId]);
  const group = store.directory.groups.get(groupId);
  if (!group) return <TopBar store={store} title={<h1>Group</h1>} />;
  const admin = group.members.some((m) => m.id === store.userId && m.role === "admin");

  async function run(action: () => Promise<void>) {
    try {
      await action();
      setError(null);
    } catch (err) {
      setError(errorText(err));
    }
  }

  async function add(event: Event) {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const username = String(new FormData(form).get("username") ?? "");
    await run(async () => {
      const user = await store.findUser(username);
      store.directory.putGroup(await store.api.addMember(groupId, user.id));
      form.reset();
    });
  }

  const remove = (userId: string) =>
    run(async () => {
      const updated = await store.api.removeMember(groupId, userId);
      if (userId === store.userId) store.views.reset();
      else store.directory.putGroup(updated);
    });
  const groupName = group.name;
  const askRemove = (userId: string, name: string) =>
    store.ask({
      title: `Remove ${name} from the group?`,
      body: `${name} will no longer get the messages of “${groupName}”.`,
      choices: [{ label: "Remove", danger: true, run: () => void remove(userId) }],
    });
  const askLeave = () =>
    store.ask({
      title: "Leave the group?",
      body: `You will no longer get the messages of “${groupName}”. Only an admin can add you again.`,
      choices: [{ label: "Leave", danger: true, run: () => void remove(store.userId) }],
    });

  return (
    <section class="screen" aria-labelledby="group-title">
      <TopBar store={store} title={<h1 id="group-title">{group.name}</h1>} />
      <GroupDetails store={store} group={group} admin={admin} />
      <h2 class="section-title">
        {group.members.length} {group.members.length === 1 ? "member" : "members"}
      </h2>
      <ul class="members" aria-label="Members">
        {group.members.map((m) => {
          const name = m.id === store.userId ? "You" : store.directory.userName(m.id);
          return (
            <li key={m.id}>
              <span>
                {name}
                {m.role === "admin" ? <span class="role"> admin</span> : null}
              </span>
              {admin && m.id !== store.userId ? (
                <button type="button" class="link" onClick={() => askRemove(m.id, name)}>
                  Remove {name}
                </button>
              ) : null}
            </li>
          );
        })}
      </ul>
      {admin ? (
        <form class="panel" onSubmit={add}>
          <label>
            Add a member by username
            <input name="username" autocomplete="off" required />
          </label>
          <button type="submit">Add member</button>
        </form>
      ) : null}
      <FormError text={error} />
      <button type="button" class="danger" onClick={askLeave}>
        Leave group
      </button>
    </section>
  );
}
