// One tick for sent, two for delivered, two coloured for read; a clock while
// waiting to be sent. The status is in the label for screen readers.

import { TICK_LABEL, type TickStatus } from "../store/ticks";
import { Icon } from "./icons";

export function Ticks({ status }: { status: TickStatus }) {
  return (
    <span class={`ticks ${status}`} data-status={status} role="img" aria-label={TICK_LABEL[status]}>
      {status === "pending" ? <Icon name="clock" size={12} /> : status === "sent" ? "✓" : "✓✓"}
    </span>
  );
}
