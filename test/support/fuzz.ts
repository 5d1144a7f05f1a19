// Hostile input, reproducibly: a seeded generator of frames and bodies that
// are invalid by construction (each must earn exactly one `error` answer).

export function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WEIRD_VALUES: unknown[] = [
  null,
  true,
  -1,
  1.5,
  1e308,
  -1e308,
  2 ** 53 + 2,
  "",
  " ",
  "\u0000",
  "𝕏".repeat(5000),
  [],
  [[[]]],
  {},
  { __proto__: { polluted: true } },
  "u:",
  "g:../../etc",
  "u:0123456789ABCDEF",
];

function pick<T>(rand: () => number, items: readonly T[]): T {
  return items[Math.floor(rand() * items.length)] as T;
}

function nested(depth: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = { a: [value] };
  return value;
}

/** A text frame that is invalid: each must be answered by one error frame. */
export function badFrame(rand: () => number, peer: string): string {
  const valid: Record<string, unknown>[] = [
    { type: "send", clientId: `fz${Math.floor(rand() * 1e9)}`, chat: `u:${peer}`, text: "hello" },
    { type: "received", ids: [`0000000000000${peer}`] },
    { type: "read", chat: `u:${peer}`, upTo: `0000000000000${peer}` },
    { type: "sync", after: 0 },
    { type: "typing", chat: `u:${peer}` },
    { type: "subscribe", users: [peer] },
  ];
  switch (Math.floor(rand() * 8)) {
    case 0: {
      // Break one required field of a valid frame (never `type`, never into a valid value).
      const frame = { ...pick(rand, valid) };
      const fields = Object.keys(frame).filter((k) => k !== "type");
      const field = pick(rand, fields);
      frame[field] = pick(rand, [null, -1, 1.5, {}, [[]], "", 1e308, true]);
      return JSON.stringify(frame);
    }
    case 1: {
      const frame = { ...pick(rand, valid) };
      const fields = Object.keys(frame).filter((k) => k !== "type");
      delete frame[pick(rand, fields)];
      return JSON.stringify(frame);
    }
    case 2:
      return JSON.stringify({ type: pick(rand, ["", "SEND", "sendx", "__proto__", "constructor", 7, null]) });
    case 3:
      return JSON.stringify(pick(rand, WEIRD_VALUES));
    case 4:
      return JSON.stringify({ type: "sync", after: nested(1 + Math.floor(rand() * 500)) });
    case 5: {
      // Truncated or corrupted JSON.
      const text = JSON.stringify(pick(rand, valid));
      const cut = 1 + Math.floor(rand() * (text.length - 2));
      return text.slice(0, cut);
    }
    case 6:
      return `{"type":"send","__proto__":{"clientId":"x","chat":"u:${peer}","text":"hi"}}`;
    default:
      // Near the frame limit, over it (but under the runtime's 1 MiB).
      return JSON.stringify({ type: "sync", after: 0, pad: "x".repeat(64 * 1024 + Math.floor(rand() * 100_000)) });
  }
}

/** An HTTP body that must be refused with a 4xx and a code. */
export function badBody(rand: () => number): string {
  switch (Math.floor(rand() * 5)) {
    case 0:
      return JSON.stringify(pick(rand, WEIRD_VALUES));
    case 1:
      return JSON.stringify({ username: pick(rand, WEIRD_VALUES), password: pick(rand, WEIRD_VALUES) });
    case 2:
      return "{".repeat(1 + Math.floor(rand() * 1000));
    case 3:
      return JSON.stringify({ displayName: pick(rand, WEIRD_VALUES), lastSeenVisibility: pick(rand, WEIRD_VALUES) });
    default:
      return String.fromCharCode(
        ...Array.from({ length: 1 + Math.floor(rand() * 200) }, () => Math.floor(rand() * 256)),
      );
  }
}
