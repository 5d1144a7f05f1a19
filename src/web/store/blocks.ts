// Whom the user blocked (GET /api/me/blocked), loaded after logging in and
// kept current by the page's own block and unblock.

import type { Api } from "@edge-chat/client";
import type { BlockedUser } from "../../shared/protocol";

export class Blocks {
  readonly list = new Map<string, BlockedUser>();

  constructor(
    private readonly api: Api,
    private readonly changed: () => void,
  ) {}

  async load(): Promise<void> {
    const blocked = await this.api.blocked();
    this.list.clear();
    for (const entry of blocked) this.list.set(entry.user.id, entry);
    this.changed();
  }

  has(userId: string): boolean {
    return this.list.has(userId);
  }

  async block(userId: string): Promise<void> {
    await this.api.block(userId);
    await this.load();
  }

  async unblock(userId: string): Promise<void> {
    await this.api.unblock(userId);
    this.list.delete(userId);
    this.changed();
  }
}
