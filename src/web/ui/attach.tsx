// The composer's attachments: a file (photo or document) picked with the
// attach button, or a voice note recorded in the page (MediaRecorder). Each
// is uploaded first, with a progress bar, then sent as a message that refers
// to it (the typed text, if any, as its caption). A big file goes up in
// parts and is remembered until its message is queued, so that a reload can
// resume it (store/resumable-uploads.ts, ui/unfinished-uploads.tsx).

import { useEffect, useRef, useState } from "preact/hooks";
import { MEDIA_NAME_MAX } from "../../shared/limits";
import type { ChatId, Media } from "../../shared/protocol";
import type { AppStore } from "../store/app-store";
import { durationText, kindOf, photoFacts, remember, upload } from "../store/media";
import { Icon } from "./icons";

interface Uploading {
  name: string;
  loaded: number;
  total: number;
}

/** An upload's progress, named after its file. */
export function UploadBar({ name, loaded, total }: Uploading) {
  return <progress class="upload-progress" aria-label={`Uploading ${name}`} max={total} value={loaded} />;
}

/** A file's name as a message may carry it: one line, at most MEDIA_NAME_MAX characters. */
function cleanName(name: string): string | undefined {
  const value = [...name.replace(/[\p{Cc}\u202a-\u202e\u2066-\u2069]/gu, " ").trim()].slice(0, MEDIA_NAME_MAX).join("");
  return /[\p{L}\p{N}\p{P}\p{S}]/u.test(value) ? value : undefined;
}

export function Attachments({
  store,
  chat,
  replyTo,
  disabled,
  onMedia,
}: {
  store: AppStore;
  chat: ChatId;
  replyTo: string | undefined;
  disabled: boolean;
  onMedia: (media: Media) => void;
}) {
  const input = useRef<HTMLInputElement>(null);
  const [uploading, setUploading] = useState<Uploading | null>(null);
  const [error, setError] = useState<string | null>(null);
  const recorder = useRef<{ stop: (send: boolean) => void; started: number } | null>(null);
  const [elapsed, setElapsed] = useState<number | null>(null);

  useEffect(() => {
    if (elapsed === null) return;
    const timer = setInterval(() => setElapsed(Date.now() - (recorder.current?.started ?? Date.now())), 250);
    return () => clearInterval(timer);
  }, [elapsed === null]);
  useEffect(() => () => recorder.current?.stop(false), []);

  async function send(file: Blob, name: string | undefined, kind: Media["kind"], extra: Partial<Media> = {}) {
    setError(null);
    setUploading({ name: name ?? "voice message", loaded: 0, total: file.size });
    const fileName = file instanceof File ? file.name : "voice message";
    try {
      const [answer, facts] = await Promise.all([
        upload(
          store.api.token,
          file,
          kind,
          (loaded, total) => setUploading({ name: name ?? "voice message", loaded, total: total || file.size }),
          ({ id }) =>
            store.uploads.started({
              ...{ id, userId: store.userId, chat, kind, fileName, size: file.size, startedAt: Date.now(), file },
              ...(name ? { name } : {}),
              ...(replyTo ? { replyTo } : {}),
            }),
        ),
        kind === "photo" ? photoFacts(file) : Promise.resolve({}),
      ]);
      remember(answer.id, file);
      onMedia({ ...answer, ...(name ? { name } : {}), ...facts, ...extra });
      store.uploads.finished(answer.id);
    } catch (err) {
      setError(`Not sent: ${err instanceof Error ? err.message : String(err)}`);
      // A big upload broken off: offered on the chat list to resume, as after a reload.
      void store.uploads.load(store.userId);
    } finally {
      setUploading(null);
    }
  }

  async function record() {
    setError(null);
    let stream: MediaStream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ audio: true });
    } catch {
      setError("The microphone is not available");
      return;
    }
    const media = new MediaRecorder(stream);
    const chunks: Blob[] = [];
    let keep = false;
    const started = Date.now();
    media.ondataavailable = (e) => chunks.push(e.data);
    media.onstop = () => {
      for (const track of stream.getTracks()) track.stop();
      recorder.current = null;
      setElapsed(null);
      const blob = new Blob(chunks, { type: media.mimeType || "audio/webm" });
      if (keep && blob.size > 0) void send(blob, undefined, "voice", { duration: Date.now() - started });
    };
    recorder.current = {
      started,
      stop: (sendIt) => {
        keep = sendIt;
        if (media.state !== "inactive") media.stop();
      },
    };
    media.start(250);
    setElapsed(0);
  }

  const recording = elapsed !== null;
  return (
    <div class="attachments">
      <input
        ref={input}
        type="file"
        class="sr-only"
        tabIndex={-1}
        aria-label="File to send"
        onChange={(e) => {
          const file = e.currentTarget.files?.[0];
          e.currentTarget.value = "";
          if (file) void send(file, cleanName(file.name), kindOf(file));
        }}
      />
      {recording ? (
        <>
          <span class="recording" role="status">
            Recording {durationText(elapsed)}
          </span>
          <button
            type="button"
            class="icon"
            aria-label="Cancel recording"
            onClick={() => recorder.current?.stop(false)}
          >
            <Icon name="close" />
          </button>
          <button
            type="button"
            class="icon"
            aria-label="Send voice message"
            onClick={() => recorder.current?.stop(true)}
          >
            <Icon name="stop" />
          </button>
        </>
      ) : (
        <>
          <button
            type="button"
            class="icon"
            aria-label="Attach file"
            disabled={disabled || uploading !== null}
            onClick={() => input.current?.click()}
          >
            <Icon name="attach" />
          </button>
          <button
            type="button"
            class="icon"
            aria-label="Record voice message"
            disabled={disabled || uploading !== null}
            onClick={() => void record()}
          >
            <Icon name="mic" />
          </button>
        </>
      )}
      {uploading ? <UploadBar {...uploading} /> : null}
      {error ? (
        <p class="form-error" role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}
