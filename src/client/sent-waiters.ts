// Promises for sendAndWait(), by clientId.

import { ApiError } from "./api-error";
import type { SentEvent } from "./events";

interface Waiter {
  resolve: (sent: SentEvent) => void;
  reject: (err: ApiError) => void;
}

export class SentWaiters {
  private readonly waiters = new Map<string, Waiter>();

  wait(clientId: string): Promise<SentEvent> {
    return new Promise((resolve, reject) => this.waiters.set(clientId, { resolve, reject }));
  }

  resolve(sent: SentEvent): void {
    this.waiters.get(sent.clientId)?.resolve(sent);
    this.waiters.delete(sent.clientId);
  }

  reject(clientId: string, code: string, message: string): void {
    this.waiters.get(clientId)?.reject(new ApiError(code, message, 0));
    this.waiters.delete(clientId);
  }

  rejectAll(code: string): void {
    for (const clientId of [...this.waiters.keys()]) this.reject(clientId, code, "the connection was closed");
  }
}
