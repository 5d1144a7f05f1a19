// Re-renders a component whenever the store changes.

import { useEffect, useState } from "preact/hooks";
import type { AppStore } from "../store/app-store";

export function useStore(store: AppStore): number {
  const [, setVersion] = useState(store.version);
  useEffect(() => store.subscribe(() => setVersion(store.version)), [store]);
  return store.version;
}
