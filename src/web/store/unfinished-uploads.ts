// Big uploads not finished yet, kept in IndexedDB so that a reload (or a
// crash of the tab) can resume them: which chat the file was for, its name
// and size, and the file itself when the browser lets us keep it (a Blob in
// IndexedDB; when it cannot, the person picks the same file again and its
// name and size are checked). A record goes in the same turn its message is
// queued (the outgoing queue survives reloads from there).

import type { ChatId } from "../../shared/protocol";
import type { MediaKind } from "../../shared/schemas/media";

export interface Unfinished {
  /** The upload's id (POST /api/media/uploads). */
  id: string;
  userId: string;
  chat: ChatId;
  kind: MediaKind;
  /** The name the message carries, if any (cleaned). */
  name?: string;
  /** The file as picked: what a second pick must match. */
  fileName: string;
  size: number;
  replyTo?: string;
  startedAt: number;
  file?: Blob;
}

const DB = "edge-chat-uploads";
const STORE = "uploads";

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE, { keyPath: "id" });
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

async function run<T>(mode: IDBTransactionMode, work: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const db = await open();
  try {
    return await new Promise<T>((resolve, reject) => {
      const tx = db.transaction(STORE, mode);
      const req = work(tx.objectStore(STORE));
      // Resolved when the transaction is durable, not when the request succeeded.
      tx.oncomplete = () => resolve(req.result);
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error);
    });
  } finally {
    db.close();
  }
}

/** Keeps the record, with the file if the browser can store it, else without (the file is asked for again). */
export async function keepUnfinished(record: Unfinished): Promise<void> {
  try {
    await run("readwrite", (store) => store.put(record));
  } catch {
    const { file: _dropped, ...rest } = record;
    await run("readwrite", (store) => store.put(rest)).catch(() => undefined);
  }
}

export async function loadUnfinished(userId: string): Promise<Unfinished[]> {
  try {
    const all = await run("readonly", (store) => store.getAll() as IDBRequest<Unfinished[]>);
    return all.filter((u) => u.userId === userId).sort((a, b) => a.startedAt - b.startedAt);
  } catch {
    return []; // no IndexedDB (a private mode that refuses it): nothing to resume
  }
}

export function dropUnfinished(id: string): Promise<void> {
  return run("readwrite", (store) => store.delete(id)).catch(() => undefined);
}

/** On logout: this user's files leave the browser. */
export async function dropAllUnfinished(userId: string): Promise<void> {
  for (const u of await loadUnfinished(userId)) await dropUnfinished(u.id);
}
