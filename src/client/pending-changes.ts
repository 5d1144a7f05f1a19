// Edits, deletes and reactions written but not yet answered. Like sends, each keeps its
// clientId, so a rewrite after a reconnect is a retry the server answers once
// (docs/protocol.md, "Answers, retries and order"). Kept in memory only: a
// change is a gesture on a message the user sees, not text they typed.

import type { ClientFrame } from "../shared/protocol";
import { ApiError } from "./api-error";

type ChangeFrame = Extract<ClientFrame, { type: "edit" | "delete" | "react" }>;

interface Pending {
  frame: ChangeFrame;
  written: number;
  resolve: () => void;
  reject: (err: ApiError) => void;
}

export class PendingChanges {
  private readonly items = new Map<string, Pending>();

  add(frame: ChangeFrame): Promise<void> {
    return new Promise((resolve, reject) => this.items.set(frame.clientId, { frame, written: -1, resolve, reject }));
  }

  has(clientId: string): boolean {
    return this.items.has(clientId);
  }

  /** Frames not yet written to socket `generation`; marks them written. */
  takeUnwritten(generation: number): ChangeFrame[] {
    const out: ChangeFrame[] = [];
    for (const item of this.items.values()) {
      if (item.written === generation) continue;
      item.written = generation;
      out.push(item.frame);
    }
    return out;
  }

  /** Write it again on the next flush (a retryable error). */
  retry(clientId: string): void {
    const item = this.items.get(clientId);
    if (item) item.written = -1;
  }

  answered(clientId: string): void {
    this.items.get(clientId)?.resolve();
    this.items.delete(clientId);
  }

  refused(clientId: string, code: string, message: string): void {
    this.items.get(clientId)?.reject(new ApiError(code, message, 0));
    this.items.delete(clientId);
  }

  rejectAll(): void {
    for (const clientId of [...this.items.keys()]) this.refused(clientId, "closed", "the connection was closed");
  }
}
