// Big uploads a previous page left unfinished (./unfinished-uploads.ts), for
// the chat list to offer "Resume upload": the server says which parts it has
// (GET /api/media/uploads/:id), only the missing ones are sent, and the
// message goes to the chat it was meant for. A file the browser could not
// keep is picked again, and must have the same name and size.

import { ApiError } from "@edge-chat/client";
import type { ChatId, Media } from "../../shared/protocol";
import { remember, sizeText } from "./media";
import { abandonParts, bytesDone, partsState, sendParts } from "./multipart";
import {
  dropAllUnfinished,
  dropUnfinished,
  keepUnfinished,
  loadUnfinished,
  type Unfinished,
} from "./unfinished-uploads";

export interface ResumeItem {
  readonly record: Unfinished;
  /** Bytes the server has, once it said. */
  sent: number | null;
  /** While resuming. */
  progress: { loaded: number; total: number } | null;
  /** Why it cannot go on, in words. */
  error: string | null;
  /** The server no longer has it (expired after 24 hours): it can only be discarded. */
  gone: boolean;
}

export class ResumableUploads {
  items: ResumeItem[] = [];

  constructor(
    private readonly api: { readonly token?: string | undefined },
    /** The store: the message goes through its queue like any other. */
    private readonly sender: { send(chat: ChatId, text: string, replyTo?: string, media?: Media): unknown },
    private readonly changed: () => void,
  ) {}

  /** Remembers a multipart upload as soon as it has an id (before any part is sent). */
  started(record: Unfinished): Promise<void> {
    return keepUnfinished(record);
  }

  /** Its message is queued: nothing left to resume. */
  finished(id: string): void {
    void dropUnfinished(id);
  }

  /** At the start of a session, and after an upload failed: what is left unfinished, and how far each got. */
  async load(userId: string): Promise<void> {
    const records = await loadUnfinished(userId);
    for (const record of records) {
      if (this.items.some((i) => i.record.id === record.id)) continue;
      const item: ResumeItem = { record, sent: null, progress: null, error: null, gone: false };
      this.items.push(item);
      void partsState(this.api.token, record.id).then(
        (state) => {
          item.sent = bytesDone(state);
          this.changed();
        },
        (err: unknown) => this.failed(item, err),
      );
    }
    this.changed();
  }

  /** Goes on with the kept file, or with `picked` (checked to be the same file) when none was kept. */
  async resume(item: ResumeItem, picked?: File): Promise<void> {
    const { record } = item;
    const file = record.file ?? picked;
    if (!file) return;
    if (!record.file && (picked?.name !== record.fileName || picked.size !== record.size)) {
      item.error = `That is not the same file: pick ${record.fileName} (${sizeText(record.size)}).`;
      this.changed();
      return;
    }
    item.error = null;
    item.progress = { loaded: item.sent ?? 0, total: record.size };
    this.changed();
    try {
      const state = await partsState(this.api.token, record.id);
      const answer = await sendParts(this.api.token, file, state, (loaded, total) => {
        item.progress = { loaded, total };
        this.changed();
      });
      remember(answer.id, file);
      const media = { ...answer, ...(record.name ? { name: record.name } : {}) };
      this.sender.send(record.chat, "", record.replyTo, media);
      this.discard(item);
    } catch (err) {
      item.progress = null;
      this.failed(item, err);
    }
  }

  /** "Discard": the server gives up its parts too, so their bytes leave the day's allowance at once. */
  giveUp(item: ResumeItem): void {
    if (!item.gone) void abandonParts(this.api.token, item.record.id).catch(() => undefined);
    this.discard(item);
  }

  discard(item: ResumeItem): void {
    this.items = this.items.filter((i) => i !== item);
    this.finished(item.record.id);
    this.changed();
  }

  /** On logout: the user's kept files leave the browser. */
  clear(userId: string): void {
    this.items = [];
    void dropAllUnfinished(userId);
  }

  private failed(item: ResumeItem, err: unknown): void {
    item.gone = err instanceof ApiError && err.code === "unknown_media";
    item.error = item.gone
      ? "This upload can no longer be resumed: send the file again."
      : `Not sent: ${err instanceof Error ? err.message : String(err)}`;
    this.changed();
  }
}
