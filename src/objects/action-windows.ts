// How long after sending a message its sender may edit it or delete it for
// everyone. EDIT_WINDOW_MS / DELETE_WINDOW_MS in the environment shorten them
// for end-to-end tests; the user object (one-to-one) and the group object
// (groups) read them the same way.

import { DELETE_WINDOW_MS, EDIT_WINDOW_MS } from "../shared/limits";

export interface ActionWindows {
  edit: number;
  delete: number;
}

export function actionWindows(env: Env): ActionWindows {
  return {
    edit: positive(env.EDIT_WINDOW_MS) ?? EDIT_WINDOW_MS,
    delete: positive(env.DELETE_WINDOW_MS) ?? DELETE_WINDOW_MS,
  };
}

function positive(value: string | undefined): number | undefined {
  const n = Number(value);
  return value !== undefined && Number.isFinite(n) && n > 0 ? n : undefined;
}
