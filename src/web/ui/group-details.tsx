// A group's picture, name and description at the top of its info screen:
// admins change them (the picture cropped and resized in the browser, as the
// profile picture is), members read them. Each change is a notice in the chat.

import { useEffect, useRef, useState } from "preact/hooks";
import type { Group } from "../../shared/protocol";
import type { AppStore } from "../store/app-store";
import { Avatar } from "./avatar";
import { errorText, FormError } from "./form-error";
import { PictureError, squarePicture } from "./picture";

const NAME_MAX = 100;
const DESCRIPTION_MAX = 512;

export function GroupDetails({ store, group, admin }: { store: AppStore; group: Group; admin: boolean }) {
  const picture = store.api.groupPictureUrl(group);
  if (!admin) {
    return (
      <div class="panel profile-head">
        <Avatar name={group.name} src={picture} size={96} />
        <p class="group-description" data-testid="group-description">
          {group.description ?? "No description"}
        </p>
      </div>
    );
  }
  return <GroupForm store={store} group={group} picture={picture} />;
}

function GroupForm({ store, group, picture }: { store: AppStore; group: Group; picture: string | null }) {
  const [name, setName] = useState(group.name);
  const [description, setDescription] = useState(group.description ?? "");
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  // A change (ours, or another admin's seen in a notice) refills the field it
  // touched, and only a change: the shown values are compared with those the
  // form last took, so neither a refreshed record (description absent, then
  // null) nor the effect's first run after mounting (it runs after paint,
  // when the user may have typed already) wipes what is typed.
  const shownDescription = group.description ?? "";
  const taken = useRef({ name: group.name, description: shownDescription });
  useEffect(() => {
    if (group.name === taken.current.name) return;
    taken.current.name = group.name;
    setName(group.name);
  }, [group.name]);
  useEffect(() => {
    if (shownDescription === taken.current.description) return;
    taken.current.description = shownDescription;
    setDescription(shownDescription);
  }, [shownDescription]);

  async function run(action: () => Promise<Group>, done: string) {
    setMessage(null);
    setError(null);
    try {
      store.directory.putGroup(await action());
      setMessage(done);
    } catch (err) {
      setError(err instanceof PictureError ? err.message : errorText(err));
    }
  }

  function save(event: Event) {
    event.preventDefault();
    if (name.trim() === "") {
      setMessage(null);
      setError("The group name cannot be empty.");
      return;
    }
    const patch: { name?: string; description?: string } = {};
    if (name.trim() !== group.name) patch.name = name;
    if (description.trim() !== (group.description ?? "")) patch.description = description;
    void run(() => store.api.updateGroup(group.id, patch), "Saved");
  }

  async function upload(event: Event) {
    const input = event.currentTarget as HTMLInputElement;
    const file = input.files?.[0];
    if (!file) return;
    await run(async () => {
      const square = await squarePicture(file);
      return store.api.uploadGroupPicture(group.id, square, square.type);
    }, "Group picture updated");
    input.value = "";
  }

  const remove = () => void run(() => store.api.deleteGroupPicture(group.id), "Group picture removed");

  return (
    <>
      <div class="panel profile-head">
        <Avatar name={group.name} src={picture} size={96} />
        <label class="file">
          Change group picture
          <input type="file" accept="image/png,image/jpeg,image/webp" onChange={upload} />
        </label>
        {picture ? (
          <button type="button" class="link" onClick={remove}>
            Remove group picture
          </button>
        ) : null}
      </div>
      <form class="panel" onSubmit={save}>
        <label>
          Group name
          <input
            name="groupName"
            value={name}
            onInput={(e) => setName(e.currentTarget.value)}
            required
            maxLength={NAME_MAX}
          />
        </label>
        <label>
          Description
          <input
            name="description"
            value={description}
            onInput={(e) => setDescription(e.currentTarget.value)}
            maxLength={DESCRIPTION_MAX}
          />
        </label>
        <FormError text={error} />
        <p role="status">{message ?? ""}</p>
        <button type="submit" class="primary">
          Save group
        </button>
      </form>
    </>
  );
}
