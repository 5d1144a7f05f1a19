// Times as people read them: "14:05" today, "Mon" this week, a date before.

const time = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });
const weekday = new Intl.DateTimeFormat(undefined, { weekday: "short" });
const date = new Intl.DateTimeFormat(undefined, { day: "numeric", month: "short", year: "numeric" });

export function clock(ts: number): string {
  return time.format(ts);
}

export function shortWhen(ts: number, now = Date.now()): string {
  const d = new Date(ts);
  const today = new Date(now);
  if (d.toDateString() === today.toDateString()) return time.format(d);
  if (now - ts < 6 * 24 * 3600 * 1000) return weekday.format(d);
  return date.format(d);
}

export function lastSeenText(ts: number, now = Date.now()): string {
  const d = new Date(ts);
  const today = new Date(now);
  const yesterday = new Date(now - 24 * 3600 * 1000);
  if (d.toDateString() === today.toDateString()) return `last seen today at ${time.format(d)}`;
  if (d.toDateString() === yesterday.toDateString()) return `last seen yesterday at ${time.format(d)}`;
  return `last seen ${date.format(d)} at ${time.format(d)}`;
}

/** A moment once, with its day: "14:05" today, "Yesterday 14:05", "Mon 14:05", "3 Nov 2026 14:05". */
export function fullWhen(ts: number, now = Date.now()): string {
  const d = new Date(ts);
  const yesterday = new Date(now - 24 * 3600 * 1000);
  if (d.toDateString() === new Date(now).toDateString()) return time.format(d);
  if (d.toDateString() === yesterday.toDateString()) return `Yesterday ${time.format(d)}`;
  return `${shortWhen(ts, now)} ${time.format(d)}`;
}
