// Message ids this client has already handed to the application, so that a
// message that arrives twice (live and again in a replay, or on two paths
// after a reconnect) is shown once. Bounded: the oldest ids are forgotten.

export class SeenIds {
  private readonly ids = new Set<string>();

  constructor(private readonly capacity = 50_000) {}

  /** True the first time an id is offered, false afterwards. */
  add(id: string): boolean {
    if (this.ids.has(id)) return false;
    this.ids.add(id);
    if (this.ids.size > this.capacity) {
      // Sets iterate in insertion order: the first is the oldest.
      const oldest = this.ids.values().next().value;
      if (oldest !== undefined) this.ids.delete(oldest);
    }
    return true;
  }

  has(id: string): boolean {
    return this.ids.has(id);
  }
}
