// A message's photo, file or voice note. A photo shows its preview at its
// own proportions at once (the chat does not jump when the full picture
// arrives) and opens full size on click; a file shows name, size and type
// and downloads on click; a voice note its duration, and plays inline. The
// bytes come by XHR with a progress bar (store/media.ts).

import { useEffect, useRef, useState } from "preact/hooks";
import type { Media } from "../../shared/protocol";
import type { AppStore } from "../store/app-store";
import { download, downloadedUrl, durationText, sizeText } from "../store/media";
import { Icon } from "./icons";

const PHOTO_MAX = 260;

function useDownload(store: AppStore, media: Media) {
  const [progress, setProgress] = useState<{ loaded: number; total: number } | null>(null);
  const [url, setUrl] = useState<string | undefined>(() => downloadedUrl(media.id));
  const [error, setError] = useState<string | null>(null);
  async function fetchIt(): Promise<string | undefined> {
    if (url) return url;
    setError(null);
    setProgress({ loaded: 0, total: media.size });
    try {
      const got = await download(store.api.token, media.id, (loaded, total) =>
        setProgress({ loaded, total: total || media.size }),
      );
      setUrl(got);
      return got;
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
      return undefined;
    } finally {
      setProgress(null);
    }
  }
  const bar = progress ? (
    <progress
      class="download-progress"
      aria-label={`Downloading ${media.name ?? media.kind}`}
      max={progress.total}
      value={progress.loaded}
    />
  ) : null;
  const failed = error ? (
    <span class="media-error" role="alert">
      {error}
    </span>
  ) : null;
  return { url, fetchIt, bar, failed };
}

export function MediaView({ store, media }: { store: AppStore; media: Media }) {
  if (media.kind === "photo") return <Photo store={store} media={media} />;
  if (media.kind === "voice") return <Voice store={store} media={media} />;
  return <FileCard store={store} media={media} />;
}

function Photo({ store, media }: { store: AppStore; media: Media }) {
  const { url, fetchIt, bar, failed } = useDownload(store, media);
  const [open, setOpen] = useState(false);
  const w = media.width ?? PHOTO_MAX;
  const h = media.height ?? PHOTO_MAX;
  const scale = Math.min(1, PHOTO_MAX / Math.max(w, h));
  const width = Math.max(1, Math.round(w * scale));
  const height = Math.max(1, Math.round(h * scale));
  return (
    <span class="media photo">
      <button
        type="button"
        class="photo-button"
        aria-label={`Open photo${media.name ? ` ${media.name}` : ""}`}
        onClick={async () => {
          if (await fetchIt()) setOpen(true);
        }}
      >
        <img
          alt="Preview"
          width={width}
          height={height}
          src={url ?? media.preview ?? undefined}
          class={url ? "" : "blurred"}
        />
      </button>
      {bar}
      {failed}
      {open && url ? <PhotoViewer url={url} name={media.name} onClose={() => setOpen(false)} /> : null}
    </span>
  );
}

/** The photo full size over the page; Escape or the close button (focused on open) closes it. */
function PhotoViewer({ url, name, onClose }: { url: string; name: string | undefined; onClose: () => void }) {
  const close = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    close.current?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== "Escape") return;
      e.stopPropagation();
      onClose();
    };
    document.addEventListener("keydown", onKey, true);
    return () => document.removeEventListener("keydown", onKey, true);
  }, []);
  return (
    <div class="photo-viewer" role="dialog" aria-modal="true" aria-label="Photo">
      <img src={url} alt={name ?? "Full size"} />
      <button ref={close} type="button" class="icon" aria-label="Close photo" onClick={onClose}>
        <Icon name="close" />
      </button>
    </div>
  );
}

function Voice({ store, media }: { store: AppStore; media: Media }) {
  const { url, fetchIt, bar, failed } = useDownload(store, media);
  // Plays at once only when fetched for a click on Play (one's own note is here already, silent).
  const [asked, setAsked] = useState(false);
  const length = media.duration !== undefined ? durationText(media.duration) : "";
  return (
    <span class="media voice">
      {url ? (
        // biome-ignore lint/a11y/useMediaCaption: a voice note has no captions to offer
        <audio controls autoPlay={asked} src={url} aria-label={`Voice message ${length}`} />
      ) : (
        <button
          type="button"
          class="voice-play"
          onClick={() => {
            setAsked(true);
            void fetchIt();
          }}
        >
          <Icon name="play" />
          <span>
            <span class="sr-only">Play </span>Voice message
          </span>
          <span class="voice-length">{length}</span>
        </button>
      )}
      {bar}
      {failed}
    </span>
  );
}

/** What the file is, in a few letters, for its icon. */
function typeLabel(media: Media): string {
  const ext = media.name?.match(/\.([A-Za-z0-9]{1,5})$/)?.[1];
  if (ext) return ext.toUpperCase();
  return (media.mime.split("/")[1] ?? "file").slice(0, 5).toUpperCase();
}

function FileCard({ store, media }: { store: AppStore; media: Media }) {
  const { fetchIt, bar, failed } = useDownload(store, media);
  const name = media.name ?? "File";
  return (
    <span class="media file">
      <button
        type="button"
        class="file-card"
        onClick={async () => {
          const url = await fetchIt();
          if (!url) return;
          const a = document.createElement("a");
          a.href = url;
          a.download = name;
          a.click();
        }}
      >
        <span class="file-icon" aria-hidden="true">
          <Icon name="file" size={30} />
          <span class="file-type">{typeLabel(media)}</span>
        </span>
        <span class="file-facts">
          <span class="file-name">
            <span class="sr-only">Download </span>
            {name}
          </span>
          <span class="file-size">
            {sizeText(media.size)} · {media.mime}
          </span>
        </span>
      </button>
      {bar}
      {failed}
    </span>
  );
}
