// Who is who: users and groups the page has to name, fetched once each (users
// in batches by id), and kept current from profile and group answers. A lookup
// that fails (a server without that route yet, a network error) leaves a
// placeholder name and is tried again later, never breaks the page.

import type { Api } from "@edge-chat/client";
import type { Group, User } from "../../shared/protocol";

export class Directory {
  readonly users = new Map<string, User>();
  readonly groups = new Map<string, Group>();
  private readonly asked = new Set<string>();
  private wanted: string[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly api: Api,
    private readonly changed: () => void,
  ) {}

  putUser(user: User): void {
    this.users.set(user.id, user);
    this.changed();
  }

  putGroup(group: Group): void {
    this.groups.set(group.id, group);
    for (const member of group.members) {
      if (member.displayName && !this.users.has(member.id)) this.asked.delete(member.id);
    }
    this.changed();
    this.needUsers(group.members.map((m) => m.id));
  }

  userName(id: string): string {
    const user = this.users.get(id);
    if (user) return user.displayName;
    for (const group of this.groups.values()) {
      const member = group.members.find((m) => m.id === id);
      if (member?.displayName) return member.displayName;
    }
    return `user ${id.slice(0, 6)}`;
  }

  /** Asks for users not known yet; ids wanted in the same turn go in one request (a replay names many). */
  needUsers(ids: string[]): void {
    for (const id of ids) {
      if (this.users.has(id) || this.asked.has(id)) continue;
      this.asked.add(id);
      this.wanted.push(id);
    }
    if (this.wanted.length > 0 && this.timer === undefined) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        void this.fetchWanted();
      }, 0);
    }
  }

  private async fetchWanted(): Promise<void> {
    const missing = this.wanted;
    this.wanted = [];
    for (let i = 0; i < missing.length; i += 100) {
      const batch = missing.slice(i, i + 100);
      try {
        for (const user of await this.api.users(batch)) this.users.set(user.id, user);
      } catch {
        for (const id of batch) this.asked.delete(id);
      }
    }
    this.changed();
  }

  async needGroup(id: string, refresh = false): Promise<Group | undefined> {
    if (!refresh && (this.groups.has(id) || this.asked.has(`g:${id}`))) return this.groups.get(id);
    this.asked.add(`g:${id}`);
    try {
      const group = await this.api.group(id);
      this.putGroup(group);
      return group;
    } catch {
      this.asked.delete(`g:${id}`);
      return undefined;
    }
  }
}
