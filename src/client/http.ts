// The HTTP half of the protocol, typed against the contract: one method per
// call. Works with the global fetch of browsers and Node 22.

import type { MuteState } from "../shared/mute";
import type {
  AuthAnswer,
  BlockedUser,
  ChatId,
  ChatSummary,
  Group,
  LastSeenVisibility,
  Me,
  Message,
  MutedUntil,
  Presence,
  SessionInfo,
  User,
} from "../shared/protocol";
import { ApiError, errorFrom } from "./api-error";

export interface ApiOptions {
  /** e.g. "http://127.0.0.1:8787", or "" in a page served by the same origin. */
  baseUrl: string;
  token?: string;
  fetch?: typeof fetch;
}

type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

export class Api {
  readonly baseUrl: string;
  token: string | undefined;
  private readonly fetchImpl: typeof fetch;

  constructor(options: ApiOptions) {
    this.baseUrl = options.baseUrl.replace(/\/$/, "");
    this.token = options.token;
    this.fetchImpl = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  }

  async request<T>(method: Method, path: string, body?: unknown, contentType?: string): Promise<T> {
    const headers: Record<string, string> = {};
    if (this.token) headers.Authorization = `Bearer ${this.token}`;
    let payload: BodyInit | undefined;
    if (body instanceof Blob || body instanceof ArrayBuffer || body instanceof Uint8Array) {
      payload = body as BodyInit;
      headers["Content-Type"] = contentType ?? "application/octet-stream";
    } else if (body !== undefined) {
      payload = JSON.stringify(body);
      headers["Content-Type"] = "application/json";
    }
    let res: Response;
    try {
      res = await this.fetchImpl(`${this.baseUrl}${path}`, { method, headers, body: payload });
    } catch (err) {
      throw new ApiError("network", `cannot reach the server: ${String(err)}`, 0);
    }
    if (!res.ok) throw await errorFrom(res);
    const text = await res.text();
    return (text ? JSON.parse(text) : undefined) as T;
  }

  // ------------------------------------------------------------ accounts

  /** `device` names this session in the list of linked devices (else the server uses the User-Agent). */
  async register(username: string, password: string, displayName?: string, device?: string): Promise<AuthAnswer> {
    const answer = await this.request<AuthAnswer>("POST", "/api/auth/register", {
      username,
      password,
      displayName,
      device,
    });
    this.token = answer.token;
    return answer;
  }

  async login(username: string, password: string, device?: string): Promise<AuthAnswer> {
    const answer = await this.request<AuthAnswer>("POST", "/api/auth/login", { username, password, device });
    this.token = answer.token;
    return answer;
  }

  async logout(): Promise<void> {
    await this.request<void>("POST", "/api/auth/logout");
    this.token = undefined;
  }

  me(): Promise<Me> {
    return this.request("GET", "/api/me");
  }

  updateMe(patch: { displayName?: string; about?: string; lastSeenVisibility?: LastSeenVisibility }): Promise<Me> {
    return this.request("PATCH", "/api/me", patch);
  }

  /** The picture's type is read from its bytes (png, jpeg, webp; at most 1 MiB); answers the updated profile. */
  uploadAvatar(image: Blob | Uint8Array, contentType = "application/octet-stream"): Promise<Me> {
    return this.request("PUT", "/api/me/avatar", image, contentType);
  }

  deleteAvatar(): Promise<void> {
    return this.request("DELETE", "/api/me/avatar");
  }

  /** For an `img` src (served without a token): the user's `avatar` URL, or null without a picture. */
  avatarUrl(user: Pick<User, "avatar">): string | null {
    return user.avatar ? `${this.baseUrl}${user.avatar}` : null;
  }

  // ------------------------------------------------------------ users, groups

  user(username: string): Promise<User> {
    return this.request("GET", `/api/users/${encodeURIComponent(username)}`);
  }

  /** Several users by id (messages and chats name users by id); unknown ids are left out. */
  async users(userIds: string[]): Promise<User[]> {
    const query = new URLSearchParams({ ids: userIds.join(",") });
    return (await this.request<{ users: User[] }>("GET", `/api/users?${query}`)).users;
  }

  presence(userId: string): Promise<Presence> {
    return this.request("GET", `/api/users/${encodeURIComponent(userId)}/presence`);
  }

  createGroup(name: string, members: string[]): Promise<Group> {
    return this.request("POST", "/api/groups", { name, members });
  }

  group(groupId: string): Promise<Group> {
    return this.request("GET", `/api/groups/${encodeURIComponent(groupId)}`);
  }

  addMember(groupId: string, userId: string): Promise<Group> {
    return this.request("POST", `/api/groups/${encodeURIComponent(groupId)}/members`, { userId });
  }

  removeMember(groupId: string, userId: string): Promise<Group> {
    return this.request("DELETE", `/api/groups/${encodeURIComponent(groupId)}/members/${encodeURIComponent(userId)}`);
  }

  /** Admins: the group's name and/or description ("" clears it); each change is a notice in the group. */
  updateGroup(groupId: string, patch: { name?: string; description?: string }): Promise<Group> {
    return this.request("PATCH", `/api/groups/${encodeURIComponent(groupId)}`, patch);
  }

  /** Admins: the group's picture (png, jpeg, webp by its bytes; at most 1 MiB). */
  uploadGroupPicture(
    groupId: string,
    image: Blob | Uint8Array,
    contentType = "application/octet-stream",
  ): Promise<Group> {
    return this.request("PUT", `/api/groups/${encodeURIComponent(groupId)}/picture`, image, contentType);
  }

  deleteGroupPicture(groupId: string): Promise<Group> {
    return this.request("DELETE", `/api/groups/${encodeURIComponent(groupId)}/picture`);
  }

  /** For an `img` src (served without a token at this versioned URL): the group's picture, or null. */
  groupPictureUrl(group: Pick<Group, "picture">): string | null {
    return group.picture ? `${this.baseUrl}${group.picture}` : null;
  }

  // ------------------------------------------------------------ chats

  async chats(): Promise<ChatSummary[]> {
    return (await this.request<{ chats: ChatSummary[] }>("GET", "/api/chats")).chats;
  }

  /** The server's VAPID public key (base64url), null when it sends no pushes. */
  async pushKey(): Promise<string | null> {
    return (await this.request<{ publicKey: string | null }>("GET", "/api/me/push")).publicKey;
  }

  /** Hands a browser's push subscription (PushSubscription.toJSON()) to the server. */
  async addPush(subscription: unknown): Promise<void> {
    await this.request("POST", "/api/me/push", subscription);
  }

  async removePush(endpoint: string): Promise<void> {
    await this.request<void>("DELETE", "/api/me/push", { endpoint });
  }

  /** Mutes a chat until a time (ms) or always, or unmutes it (null), for all my devices. */
  mute(chat: ChatId, until: MutedUntil | null): Promise<MuteState> {
    return this.request("PUT", `/api/chats/${chat}/mute`, { until });
  }

  /** One page, oldest first, just before `before` (the newest page without it). */
  async history(chat: ChatId, options: { before?: string; limit?: number } = {}): Promise<Message[]> {
    const query = new URLSearchParams();
    if (options.before) query.set("before", options.before);
    if (options.limit) query.set("limit", String(options.limit));
    const suffix = query.size > 0 ? `?${query}` : "";
    return (await this.request<{ messages: Message[] }>("GET", `/api/chats/${chat}/messages${suffix}`)).messages;
  }

  /** The caller's own messages matching every word (as prefixes), newest first; page on with `before`. */
  async search(q: string, limit?: number, before?: string): Promise<Message[]> {
    const query = new URLSearchParams({ q });
    if (limit) query.set("limit", String(limit));
    if (before) query.set("before", before);
    return (await this.request<{ messages: Message[] }>("GET", `/api/search?${query}`)).messages;
  }

  // ------------------------------------------------------------ safety

  async blocked(): Promise<BlockedUser[]> {
    return (await this.request<{ blocked: BlockedUser[] }>("GET", "/api/me/blocked")).blocked;
  }

  async block(userId: string): Promise<void> {
    await this.request("POST", "/api/me/blocked", { userId });
  }

  unblock(userId: string): Promise<void> {
    return this.request("DELETE", `/api/me/blocked/${encodeURIComponent(userId)}`);
  }

  /** The user's logged-in devices, newest first (`current` marks this one). */
  async sessions(): Promise<SessionInfo[]> {
    return (await this.request<{ sessions: SessionInfo[] }>("GET", "/api/me/sessions")).sessions;
  }

  /** Logs that device out remotely. */
  endSession(sessionId: string): Promise<void> {
    return this.request("DELETE", `/api/me/sessions/${encodeURIComponent(sessionId)}`);
  }
}
