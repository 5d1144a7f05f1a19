// What tells a person that something arrived: the unread total in the tab's
// title ("(3) Edge Chat"), a browser notification for a new message from
// someone else while the tab is hidden (permission asked only when the person
// clicks "Turn on notifications" in settings, never on load), and a short
// sound (/notify.wav, served from self under the page's CSP `media-src
// 'self'`) that can be switched off in settings (kept in localStorage). A
// muted chat (the server's `mutedUntil`, docs/protocol.md) neither notifies
// nor sounds, and its unread messages stay out of the title.

const TITLE = "Edge Chat";
const SOUND_KEY = "edge-chat.sound";
const SOUND_URL = "/notify.wav";

export type NotificationState = "unsupported" | "default" | "granted" | "denied";

export interface Incoming {
  /** Who sent it and where, in words (e.g. "Ben", "Ben in Hikers"). */
  title: string;
  body: string;
  /** The notification's tag: one per chat, so a burst replaces rather than piles up. */
  tag: string;
  /** Clicking the notification: back to the tab, that chat open. */
  open: () => void;
}

export class Alerts {
  private audio: HTMLAudioElement | null = null;

  /** The tab's title for this unread total. */
  showUnread(total: number): void {
    if (typeof document === "undefined") return;
    const title = total > 0 ? `(${total}) ${TITLE}` : TITLE;
    if (document.title !== title) document.title = title;
  }

  soundOn(): boolean {
    try {
      return localStorage.getItem(SOUND_KEY) !== "off";
    } catch {
      return true;
    }
  }

  setSound(on: boolean): void {
    if (on) localStorage.removeItem(SOUND_KEY);
    else localStorage.setItem(SOUND_KEY, "off");
  }

  notificationState(): NotificationState {
    if (typeof Notification === "undefined") return "unsupported";
    return Notification.permission;
  }

  /** Asks the browser for permission: call only from a person's click. */
  async enableNotifications(): Promise<NotificationState> {
    if (typeof Notification === "undefined") return "unsupported";
    return await Notification.requestPermission();
  }

  /**
   * A new message from someone else in a chat that is not muted: a sound
   * (unless switched off) when the tab is hidden or the chat is not the one
   * on screen, and a notification when the tab is hidden.
   */
  incoming(message: Incoming, onScreen: boolean): void {
    const hidden = typeof document !== "undefined" && document.visibilityState === "hidden";
    if (this.soundOn() && (hidden || !onScreen)) this.play();
    if (hidden && this.notificationState() === "granted") this.notify(message);
  }

  private play(): void {
    try {
      this.audio ??= new Audio(SOUND_URL);
      this.audio.currentTime = 0;
      // Refused before the person has interacted with the page (autoplay rules): nothing to do.
      void this.audio.play().catch(() => undefined);
    } catch {
      // no audio here
    }
  }

  private notify({ title, body, tag, open }: Incoming): void {
    try {
      const note = new Notification(title, { body, tag, icon: "/icon-192.png" });
      note.onclick = () => {
        window.focus();
        open();
        note.close();
      };
    } catch {
      // Some browsers only allow notifications from a service worker; the page still has its title and sound.
    }
  }
}
