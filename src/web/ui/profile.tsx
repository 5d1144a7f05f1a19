// My profile: name, about, picture, who sees my last seen; and logging out.

import { useState } from "preact/hooks";
import { LAST_SEEN_VISIBILITIES, type LastSeenVisibility } from "../../shared/protocol";
import type { AppStore } from "../store/app-store";
import { Avatar } from "./avatar";
import { errorText, FormError } from "./form-error";
import { TopBar } from "./top-bar";

export function Profile({ store }: { store: AppStore }) {
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const me = store.me;
  if (!me) return <TopBar store={store} title={<h1>Profile</h1>} />;

  async function save(event: Event) {
    event.preventDefault();
    const data = new FormData(event.currentTarget as HTMLFormElement);
    try {
      store.me = await store.api.updateMe({
        displayName: String(data.get("displayName") ?? ""),
        about: String(data.get("about") ?? ""),
        lastSeenVisibility: String(data.get("lastSeen")) as LastSeenVisibility,
      });
      store.directory.putUser(store.me);
      setError(null);
      setMessage("Saved");
    } catch (err) {
      setError(errorText(err));
    }
  }

  async function upload(event: Event) {
    const file = (event.currentTarget as HTMLInputElement).files?.[0];
    if (!file) return;
    try {
      await store.api.uploadAvatar(file, file.type);
      store.me = await store.api.me();
      store.directory.putUser(store.me);
      setMessage("Picture updated");
    } catch (err) {
      setError(errorText(err));
    }
  }

  return (
    <section class="screen" aria-labelledby="profile-title">
      <TopBar store={store} title={<h1 id="profile-title">Profile</h1>} />
      <div class="panel profile-head">
        <Avatar name={me.displayName} src={store.api.avatarUrl(me as { avatar?: string })} size={96} />
        <label class="file">
          Change picture
          <input type="file" accept="image/png,image/jpeg,image/webp" onChange={upload} />
        </label>
        <p class="username">@{me.username}</p>
      </div>
      <form class="panel" onSubmit={save}>
        <label>
          Name
          <input name="displayName" value={me.displayName} required maxLength={64} />
        </label>
        <label>
          About
          <input name="about" value={me.about} maxLength={140} />
        </label>
        <label>
          Who can see my last seen
          <select name="lastSeen" value={me.lastSeenVisibility}>
            {LAST_SEEN_VISIBILITIES.map((v) => (
              <option key={v} value={v}>
                {v === "everyone" ? "Everyone" : v === "contacts" ? "My contacts" : "Nobody"}
              </option>
            ))}
          </select>
        </label>
        <FormError text={error} />
        <p role="status">{message ?? ""}</p>
        <button type="submit" class="primary">
          Save
        </button>
      </form>
      <button type="button" class="danger" onClick={() => void store.logout()}>
        Log out
      </button>
    </section>
  );
}
