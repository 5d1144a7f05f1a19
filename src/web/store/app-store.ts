// The page's state and what the screens can do, over the client module: the
// HTTP Api and one Connection. Screens read fields and call methods; every
// change bumps `version`, and the App re-renders on it.

import {
  Api,
  ApiError,
  type Connection,
  type ConnectionEvents,
  type ConnectionState,
  type QueuedSend,
} from "@edge-chat/client";
import type { ChatId, Me, Media, Message, MutedUntil, Presence, User } from "../../shared/protocol";
import { Alerts } from "./alerts";
import { announce, unreadTotal } from "./announce";
import { Blocks } from "./blocks";
import { Chats } from "./chats";
import { Directory } from "./directory";
import { Drafts, dropDrafts } from "./drafts";
import { errorInWords } from "./error-words";
import { goLive, type Live } from "./live-connection";
import { tellLogout } from "./logout";
import { stillMember } from "./membership";
import { MessageDialogs } from "./message-dialogs";
import { Mutes } from "./mutes";
import type { Question } from "./question";
import { ResumableUploads } from "./resumable-uploads";
import { deviceName, loadSession, type Session, saveSession } from "./session";
import { restoreSnapshot, SnapshotWriter } from "./snapshot";
import type { ReceiptBook } from "./ticks";
import { type View, Views } from "./views";
import { subscribePush } from "./web-push";

export class AppStore {
  readonly api = new Api({ baseUrl: "" });
  readonly directory = new Directory(this.api, () => this.changed());
  readonly views = new Views(() => this.changed());
  readonly blocks = new Blocks(this.api, () => this.changed());
  readonly alerts = new Alerts();
  /** The reaction picker, who reacted, the forward's chat picker (./message-dialogs.ts). */
  readonly dialogs = new MessageDialogs(() => this.changed());
  readonly mutes = new Mutes();
  /** Big uploads a previous page left unfinished (./resumable-uploads.ts). */
  readonly uploads = new ResumableUploads(this.api, this, () => this.changed());
  chats = new Chats();
  receipts: ReceiptBook = new Map();
  presence = new Map<string, Presence>();
  typing = new Map<ChatId, { from: string; until: number }>();
  /** Sends the server refused for good (e.g. no longer a member), shown in their chat. */
  failed: ConnectionEvents["failed"][] = [];
  /** An edit or delete the server refused, in words, for the conversation to show. */
  notice: string | null = null;
  drafts: Drafts | null = null;
  /** The confirmation on screen, if any. */
  question: Question | null = null;
  session: Session | null = null;
  me: Me | null = null;
  connection: Connection | null = null;
  connectionState: ConnectionState = "idle";
  version = 0;
  private listeners = new Set<() => void>();
  private scheduled = false;
  private live: Live | null = null;
  private readonly snapshot = new SnapshotWriter(() =>
    this.session
      ? { userId: this.userId, chats: this.chats, directory: this.directory, receipts: this.receipts }
      : null,
  );

  constructor() {
    const session = loadSession();
    if (session) this.begin(session);
  }

  get view(): View {
    return this.views.current;
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Coalesces changes into one re-render per turn. */
  changed(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(() => {
      this.scheduled = false;
      this.version++;
      this.alerts.showUnread(unreadTotal(this));
      for (const listener of this.listeners) listener();
    });
    if (this.session) this.snapshot.soon();
  }

  // ------------------------------------------------------------ session

  async register(username: string, password: string, displayName?: string): Promise<void> {
    this.begin(await this.api.register(username, password, displayName || undefined, deviceName()));
  }

  async login(username: string, password: string): Promise<void> {
    this.begin(await this.api.login(username, password, deviceName()));
  }

  async logout(): Promise<void> {
    await tellLogout(this.api.token);
    this.end();
  }

  private begin(session: Session): void {
    this.session = session;
    this.drafts = new Drafts(session.user.id);
    saveSession(session);
    this.api.token = session.token;
    this.directory.putUser(session.user);
    // What the page showed last time: there at once, and offline.
    this.receipts = restoreSnapshot(session.user.id, this.chats, this.directory) ?? this.receipts;
    this.live?.stop();
    this.live = goLive(session, this, {
      state: (state) => {
        this.connectionState = state;
        this.changed();
      },
      refused: () => this.end(),
    });
    this.connection = this.live.connection;
    void this.blocks.load().catch(() => undefined);
    void this.uploads.load(session.user.id);
    void subscribePush(this.api);
    void this.api.me().then(
      (me) => {
        this.me = me;
        this.directory.putUser(me);
      },
      (err: unknown) => {
        if (err instanceof ApiError && err.status === 401) this.end();
      },
    );
  }

  private end(): void {
    if (this.session) {
      this.snapshot.drop(this.session.user.id);
      dropDrafts(this.session.user.id);
      this.uploads.clear(this.session.user.id);
    }
    this.live?.stop();
    this.live = null;
    this.connection = null;
    this.drafts = null;
    this.notice = null;
    this.session = null;
    this.me = null;
    this.api.token = undefined;
    saveSession(null);
    this.chats = new Chats();
    this.receipts = new Map();
    this.presence = new Map();
    this.mutes.clear();
    this.failed = [];
    this.blocks.list.clear();
    this.views.reset();
    this.changed();
  }

  get userId(): string {
    return this.session?.user.id ?? "";
  }

  // ------------------------------------------------------------ incoming

  setPresence(user: string, presence: Presence): void {
    this.presence.set(user, presence);
    this.changed();
  }

  /** Presence of a user shown somewhere: subscribed once per connection. */
  watch(userId: string): void {
    if (userId !== this.userId) this.connection?.subscribe([userId]);
  }

  async refreshChats(): Promise<void> {
    try {
      const summaries = await this.api.chats();
      this.chats.applySummaries(summaries);
      this.mutes.fromSummaries(summaries);
      const open = this.views.openChat;
      if (open) this.readChat(open);
      this.changed();
    } catch {
      // offline or refused: the list stays as it is
    }
  }

  muted(chat: ChatId): boolean {
    return this.mutes.muted(chat);
  }

  announce(message: Message): void {
    void announce(this, message);
  }

  visible(): boolean {
    return typeof document === "undefined" || document.visibilityState === "visible";
  }

  // ------------------------------------------------------------ actions

  send(chat: ChatId, text: string, replyTo?: string, media?: Media): QueuedSend | undefined {
    const item = this.connection?.send(chat, text, undefined, replyTo, media);
    this.changed();
    return item;
  }

  /** Edits or deletes a message; a refusal becomes the conversation's notice. */
  async change(run: (connection: Connection) => Promise<void>): Promise<void> {
    const connection = this.connection;
    if (!connection) return;
    try {
      await run(connection);
      this.notice = null;
    } catch (err) {
      this.notice = errorInWords(err);
    }
    this.changed();
  }

  /** Sets, replaces (an emoji) or removes (null) my reaction; a refusal becomes the conversation's notice. */
  react(message: Message, emoji: string | null): Promise<void> {
    return this.change((c) => c.react(message.id, emoji));
  }

  /** Forwards messages (oldest first) to each chat; the server copies them and counts their hops. */
  forward(messages: Message[], chats: ChatId[]): void {
    const connection = this.connection;
    if (!connection) return;
    for (const chat of chats) {
      for (const m of messages) connection.forward(chat, { chat: m.chat, id: m.id }, m.text);
    }
    this.changed();
  }

  /** Shows a line in words in the open conversation (a refused action). */
  say(notice: string | null): void {
    this.notice = notice;
    this.changed();
  }

  ask(question: Question | null): void {
    this.question = question;
    this.changed();
  }

  /** Mutes (a time or "always") or unmutes (null) a chat on the server, for all my devices. */
  async mute(chat: ChatId, until: MutedUntil | null): Promise<void> {
    const state = await this.api.mute(chat, until);
    this.mutes.set(chat, state.mutedUntil);
    this.changed();
  }

  /** Still a member of this chat (always, for one-to-one chats). */
  member(chat: ChatId): boolean {
    return chat.startsWith("u:") || stillMember(this.chats.entry(chat).messages.values(), this.userId);
  }

  /** Marks everything shown in an open chat as read. */
  readChat(chat: ChatId): void {
    const entry = this.chats.entry(chat);
    const newest = this.chats.sorted(chat).findLast((m) => m.from !== this.userId && !m.system);
    if (newest) this.connection?.markRead(chat, newest.id);
    entry.unread = 0;
    this.changed();
  }

  /** One older page of a chat, from the server (on scroll to the top). */
  async loadOlder(chat: ChatId): Promise<void> {
    const entry = this.chats.entry(chat);
    if (entry.historyDone) return;
    const oldest = this.chats.sorted(chat)[0];
    const page = await this.api.history(chat, { before: oldest?.id, limit: 50 });
    for (const message of page) this.chats.add(message);
    if (page.length < 50) entry.historyDone = true;
    this.directory.needUsers(page.map((m) => m.from));
    this.changed();
  }

  async findUser(username: string): Promise<User> {
    const user = await this.api.user(username.trim());
    this.directory.putUser(user);
    return user;
  }

  pending(chat: ChatId): readonly QueuedSend[] {
    return (this.connection?.pending ?? []).filter((p) => p.chat === chat);
  }
}
