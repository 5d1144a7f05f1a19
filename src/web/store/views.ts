// Which screen is shown: a small stack, so Back (and Escape) returns to where
// the user came from. One column at a time, as on a phone.

import type { ChatId } from "../../shared/protocol";

export type View =
  | { name: "chats" }
  | { name: "chat"; chat: ChatId; focus?: string }
  | { name: "info"; chat: ChatId; messageId: string }
  | { name: "group"; groupId: string }
  | { name: "new-chat" }
  | { name: "new-group" }
  | { name: "profile" }
  | { name: "search" };

export class Views {
  private stack: View[] = [{ name: "chats" }];

  constructor(private readonly changed: () => void) {}

  get current(): View {
    return this.stack.at(-1) ?? { name: "chats" };
  }

  get canGoBack(): boolean {
    return this.stack.length > 1;
  }

  /** The chat on screen, if any. */
  get openChat(): ChatId | null {
    const view = this.current;
    return view.name === "chat" ? view.chat : null;
  }

  go(view: View): void {
    this.stack.push(view);
    this.changed();
  }

  /** Replaces the current screen (e.g. "new chat" becomes the chat). */
  replace(view: View): void {
    this.stack[this.stack.length - 1] = view;
    this.changed();
  }

  back(): void {
    if (this.stack.length > 1) this.stack.pop();
    this.changed();
  }

  reset(): void {
    this.stack = [{ name: "chats" }];
    this.changed();
  }
}
