// The user's lastSeenVisibility, which lives in D1 (users.last_seen_visibility).
// PATCH /api/me pushes a change here by RPC; on each wake the first need reads
// D1 once, so a push lost to a crash is corrected by the next wake.

import type { LastSeenVisibility } from "../../shared/protocol";

export class Visibility {
  private value: LastSeenVisibility | null = null;

  constructor(
    private readonly db: D1Database,
    private readonly userId: string,
  ) {}

  get known(): LastSeenVisibility | null {
    return this.value;
  }

  set(value: LastSeenVisibility): void {
    this.value = value;
  }

  async get(): Promise<LastSeenVisibility> {
    if (this.value !== null) return this.value;
    const row = await this.db
      .prepare("SELECT last_seen_visibility AS v FROM users WHERE id = ?")
      .bind(this.userId)
      .first<{ v: LastSeenVisibility }>();
    // A push that arrived while we read is newer than what we read.
    this.value ??= row?.v ?? "everyone";
    return this.value;
  }
}
