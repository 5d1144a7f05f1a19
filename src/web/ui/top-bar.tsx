// The bar at the top of every screen: Back, a title, and actions.

import type { ComponentChildren } from "preact";
import type { AppStore } from "../store/app-store";
import { Icon } from "./icons";

export function TopBar({
  store,
  title,
  children,
}: {
  store: AppStore;
  title: ComponentChildren;
  children?: ComponentChildren;
}) {
  return (
    <header class="top-bar">
      {store.views.canGoBack ? (
        <button type="button" class="icon" aria-label="Back" onClick={() => store.views.back()}>
          <Icon name="back" />
        </button>
      ) : null}
      <div class="title">{title}</div>
      {children}
    </header>
  );
}
