// On the chat list: big uploads a previous page left unfinished (a reload, a
// closed tab), each with how far it got and "Resume upload", which sends the
// missing parts and then the message; or "Discard". When the browser could
// not keep the file, Resume asks for it again (same name and size).

import { useRef } from "preact/hooks";
import type { AppStore } from "../store/app-store";
import { sizeText } from "../store/media";
import type { ResumeItem } from "../store/resumable-uploads";
import { UploadBar } from "./attach";
import { chatTitle } from "./names";

export function UnfinishedUploads({ store }: { store: AppStore }) {
  const items = store.uploads.items;
  if (items.length === 0) return null;
  return (
    <ul class="unfinished-uploads" aria-label="Unfinished uploads">
      {items.map((item) => (
        <UnfinishedUpload key={item.record.id} store={store} item={item} />
      ))}
    </ul>
  );
}

function UnfinishedUpload({ store, item }: { store: AppStore; item: ResumeItem }) {
  const input = useRef<HTMLInputElement>(null);
  const { record, progress } = item;
  const sent = progress?.loaded ?? item.sent;
  const howFar = sent === null ? "" : ` ${sizeText(sent)} of ${sizeText(record.size)} sent.`;
  const again = record.file || progress ? "" : " Pick the same file to resume.";
  return (
    <li class="unfinished-upload">
      <p>
        <strong>{record.fileName}</strong> to {chatTitle(store, record.chat)}:{" "}
        {progress ? "resuming the upload." : "upload interrupted."}
        {howFar}
        {again}
      </p>
      {record.file ? null : (
        <input
          ref={input}
          type="file"
          class="sr-only"
          tabIndex={-1}
          aria-label={`Pick ${record.fileName} again`}
          onChange={(e) => {
            const file = e.currentTarget.files?.[0];
            e.currentTarget.value = "";
            if (file) void store.uploads.resume(item, file);
          }}
        />
      )}
      {progress ? (
        <UploadBar name={record.fileName} {...progress} />
      ) : (
        <div class="actions">
          {item.gone ? null : (
            <button
              type="button"
              class="primary"
              onClick={() => (record.file ? void store.uploads.resume(item) : input.current?.click())}
            >
              Resume upload
            </button>
          )}
          <button type="button" onClick={() => store.uploads.giveUp(item)}>
            Discard
          </button>
        </div>
      )}
      {item.error ? (
        <p class="form-error" role="alert">
          {item.error}
        </p>
      ) : null}
    </li>
  );
}
