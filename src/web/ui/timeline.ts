// A chat's messages as the conversation lays them out: a day separator
// ("Today", "Yesterday", a date) before the first message of each day, and
// consecutive messages of one sender within a few minutes grouped.

import type { Message } from "../../shared/protocol";

const GROUP_WITHIN_MS = 5 * 60 * 1000;
const dayFormat = new Intl.DateTimeFormat(undefined, { day: "numeric", month: "long", year: "numeric" });

export type Row = { kind: "day"; key: string; label: string } | { kind: "message"; message: Message; cont: boolean };

export function timeline(messages: Message[], now = Date.now()): Row[] {
  const rows: Row[] = [];
  let previous: Message | undefined;
  for (const message of messages) {
    const day = new Date(message.ts).toDateString();
    const newDay = !previous || new Date(previous.ts).toDateString() !== day;
    if (newDay) rows.push({ kind: "day", key: `day-${message.id}`, label: dayLabel(message.ts, now) });
    const cont =
      !newDay &&
      previous !== undefined &&
      !previous.system &&
      !message.system &&
      previous.from === message.from &&
      message.ts - previous.ts < GROUP_WITHIN_MS;
    rows.push({ kind: "message", message, cont });
    previous = message;
  }
  return rows;
}

export function dayLabel(ts: number, now = Date.now()): string {
  const day = new Date(ts).toDateString();
  if (day === new Date(now).toDateString()) return "Today";
  const yesterday = new Date(now);
  yesterday.setDate(yesterday.getDate() - 1);
  if (day === yesterday.toDateString()) return "Yesterday";
  return dayFormat.format(ts);
}
