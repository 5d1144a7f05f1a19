// Which pane a screen is in, for its Back button: on a wide screen Back closes
// the newest screen of that pane only; on a phone it is the stack's Back.

import { createContext } from "preact";
import { useContext } from "preact/hooks";

export interface PaneBack {
  /** Null when this pane has nothing to go back to (no Back button). */
  back: (() => void) | null;
}

export const PaneContext = createContext<PaneBack | null>(null);

export function usePaneBack(): PaneBack | null {
  return useContext(PaneContext);
}
