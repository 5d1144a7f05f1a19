// My profile and settings: name, about, picture (cropped and resized in the
// browser), who sees my last seen, the theme, blocked contacts, linked
// devices; and logging out.

import { useState } from "preact/hooks";
import { LAST_SEEN_VISIBILITIES, type LastSeenVisibility, type Me } from "../../shared/protocol";
import type { AppStore } from "../store/app-store";
import { AlertSettings } from "./alert-settings";
import { Avatar } from "./avatar";
import { errorText, FormError } from "./form-error";
import { PictureError, squarePicture } from "./picture";
import { BlockedList, LinkedDevices, ThemeChoice } from "./settings-sections";
import { TopBar } from "./top-bar";

export function Profile({ store }: { store: AppStore }) {
  const me = store.me;
  if (!me) return <TopBar store={store} title={<h1>Profile</h1>} />;
  return <ProfileForm store={store} me={me} />;
}

function ProfileForm({ store, me }: { store: AppStore; me: Me }) {
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  // The fields are this form's own state, so that a re-render (a message
  // arriving) never resets what is being typed.
  const [displayName, setDisplayName] = useState(me.displayName);
  const [about, setAbout] = useState(me.about);
  const [lastSeen, setLastSeen] = useState<LastSeenVisibility>(me.lastSeenVisibility);

  async function save(event: Event) {
    event.preventDefault();
    try {
      store.me = await store.api.updateMe({ displayName, about, lastSeenVisibility: lastSeen });
      store.directory.putUser(store.me);
      setError(null);
      setMessage("Saved");
    } catch (err) {
      setMessage(null);
      setError(errorText(err));
    }
  }

  async function upload(event: Event) {
    const input = event.currentTarget as HTMLInputElement;
    const file = input.files?.[0];
    if (!file) return;
    setMessage(null);
    setError(null);
    try {
      const picture = await squarePicture(file);
      store.me = await store.api.uploadAvatar(picture, picture.type);
      store.directory.putUser(store.me);
      setMessage("Picture updated");
    } catch (err) {
      setError(err instanceof PictureError ? err.message : errorText(err));
    } finally {
      input.value = "";
    }
  }

  return (
    <section class="screen" aria-labelledby="profile-title">
      <TopBar store={store} title={<h1 id="profile-title">Profile</h1>} />
      <div class="panel profile-head">
        <Avatar name={me.displayName} src={store.api.avatarUrl(me)} size={96} />
        <label class="file">
          Change picture
          <input type="file" accept="image/png,image/jpeg,image/webp" onChange={upload} />
        </label>
        <p class="username">@{me.username}</p>
      </div>
      <form class="panel" onSubmit={save}>
        <label>
          Name
          <input
            name="displayName"
            value={displayName}
            onInput={(e) => setDisplayName(e.currentTarget.value)}
            required
            maxLength={64}
          />
        </label>
        <label>
          About
          <input name="about" value={about} onInput={(e) => setAbout(e.currentTarget.value)} maxLength={140} />
        </label>
        <label>
          Who can see my last seen
          <select
            name="lastSeen"
            value={lastSeen}
            onChange={(e) => setLastSeen(e.currentTarget.value as LastSeenVisibility)}
          >
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
      <h2 class="section-title">Notifications</h2>
      <AlertSettings store={store} />
      <h2 class="section-title">Theme</h2>
      <ThemeChoice />
      <h2 class="section-title">Blocked contacts</h2>
      <BlockedList store={store} />
      <h2 class="section-title">Linked devices</h2>
      <LinkedDevices store={store} />
      <button type="button" class="danger" onClick={() => void store.logout()}>
        Log out
      </button>
    </section>
  );
}
