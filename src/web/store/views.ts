// Which screen is shown: a small stack, so Back (and Escape) returns to where
// the user came from. On a phone one screen at a time; on a wide screen two
// panes (ui/app.tsx): the newest "side" screen (the chat list, profile,
// search, ...) on the left and the newest "chat" screen (a conversation,
// message info, group info) on the right.

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

export type Pane = "side" | "chat";

export function paneOf(view: View): Pane {
  return view.name === "chat" || view.name === "info" || view.name === "group" ? "chat" : "side";
}

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
    const view = this.wide ? this.top("chat") : this.current;
    return view?.name === "chat" ? view.chat : null;
  }

  /** Two panes are on screen (set by the page from a media query). */
  wide = false;

  /** The newest screen of a pane (on a wide screen, what that pane shows). */
  top(pane: Pane): View | undefined {
    return this.stack.findLast((v) => paneOf(v) === pane);
  }

  count(pane: Pane): number {
    return this.stack.filter((v) => paneOf(v) === pane).length;
  }

  /** Opens a chat in place of the chat screens open now (one conversation at a time). */
  showChat(view: Extract<View, { name: "chat" }>): void {
    this.stack = this.stack.filter((v) => paneOf(v) === "side");
    this.go(view);
  }

  /** Back within one pane: its newest screen closes. */
  backIn(pane: Pane): void {
    const index = this.stack.findLastIndex((v) => paneOf(v) === pane);
    if (index > 0) this.stack.splice(index, 1);
    this.changed();
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
