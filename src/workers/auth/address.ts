// The key a client address is counted under. One person holds a whole IPv6
// /64 (a home or a phone gets one), so every address of a /64 is one key;
// and the same address has many spellings (case, zeros, `::`, IPv4-mapped),
// so each is brought to one form first. Returns undefined for what is not an
// address at all (such a request is counted under no address key).

/** `a.b.c.d` for IPv4 (also when mapped into IPv6), `xxxx:xxxx:xxxx:xxxx::/64` for IPv6. */
export function addressKey(raw: string): string | undefined {
  const text = raw.trim().toLowerCase();
  const v4 = ipv4(text);
  if (v4) return v4.join(".");
  const groups = ipv6(text);
  if (!groups) return undefined;
  // ::ffff:a.b.c.d is an IPv4 client seen through an IPv6 socket.
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    const [hi = 0, lo = 0] = groups.slice(6);
    return [hi >> 8, hi & 255, lo >> 8, lo & 255].join(".");
  }
  return `${groups
    .slice(0, 4)
    .map((g) => g.toString(16))
    .join(":")}::/64`;
}

/** Loopback (127.0.0.0/8, ::1): one machine, where every client shares one address. */
export function isLoopback(raw: string): boolean {
  const key = addressKey(raw);
  if (key === undefined) return false;
  if (key.startsWith("127.")) return true;
  const groups = ipv6(raw.trim().toLowerCase()) ?? [];
  return groups.length === 8 && groups.slice(0, 7).every((g) => g === 0) && groups[7] === 1;
}

function ipv4(text: string): number[] | undefined {
  const parts = text.split(".");
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p))) return undefined;
  const bytes = parts.map(Number);
  return bytes.every((b) => b <= 255) ? bytes : undefined;
}

/** The eight 16-bit groups of an IPv6 address, or undefined. */
function ipv6(text: string): number[] | undefined {
  const zone = text.indexOf("%");
  const bare = zone >= 0 ? text.slice(0, zone) : text;
  const halves = bare.split("::");
  if (halves.length > 2) return undefined;
  const parse = (part: string): number[] | undefined => {
    if (part === "") return [];
    const out: number[] = [];
    const pieces = part.split(":");
    for (const [i, piece] of pieces.entries()) {
      if (i === pieces.length - 1 && piece.includes(".")) {
        const v4 = ipv4(piece);
        if (!v4) return undefined;
        out.push(((v4[0] ?? 0) << 8) | (v4[1] ?? 0), ((v4[2] ?? 0) << 8) | (v4[3] ?? 0));
      } else if (/^[0-9a-f]{1,4}$/.test(piece)) {
        out.push(Number.parseInt(piece, 16));
      } else {
        return undefined;
      }
    }
    return out;
  };
  const head = parse(halves[0] ?? "");
  const tail = halves.length === 2 ? parse(halves[1] ?? "") : [];
  if (!head || !tail) return undefined;
  if (halves.length === 1) return head.length === 8 ? head : undefined;
  const missing = 8 - head.length - tail.length;
  if (missing < 1) return undefined;
  return [...head, ...new Array<number>(missing).fill(0), ...tail];
}
