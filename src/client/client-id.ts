// clientIds: made once per message, kept through every retry. The server
// dedupes by clientId across the user's whole mailbox (all devices), so it
// must be unique per user: 22 random base32 characters are 110 bits.

import { randomId } from "../shared/ids";

export const ids = {
  next(): string {
    return `c${randomId(22)}`;
  },
};
