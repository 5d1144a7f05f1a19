// A question the page asks before something that cannot be undone; shown by
// ui/confirm.tsx, one at a time.

export interface Question {
  title: string;
  body?: string;
  /** The buttons besides Cancel. */
  choices: { label: string; run: () => void; danger?: boolean }[];
}
