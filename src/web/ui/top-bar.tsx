// The bar at the top of every screen: Back, a title, and actions.

import type { ComponentChildren } from "preact";
import type { AppStore } from "../store/app-store";
import { Icon } from "./icons";
import { usePaneBack } from "./pane";

export function TopBar({
  store,
  title,
  children,
}: {
  store: AppStore;
  title: ComponentChildren;
  children?: ComponentChildren;
}) {
  const pane = usePaneBack();
  const back = pane ? pane.back : store.views.canGoBack ? () => store.views.back() : null;
  return (
    <header class="top-bar">
      {back ? (
        <button type="button" class="icon" aria-label="Back" onClick={back}>
          <Icon name="back" />
        </button>
      ) : null}
      <div class="title">{title}</div>
      {children}
    </header>
  );
}
