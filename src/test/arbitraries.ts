// fast-check arbitraries for the fuzz test (src/workers/fuzz.test.ts): JSON
// of any shape, and bodies and frames near the schemas' shapes (their own
// keys, values that are almost right), so that the fuzzing reaches past the
// first check of each field.

import fc from "fast-check";
import { CLIENT_FRAMES } from "../shared/schemas/client-frames";

const ID16 = fc.stringMatching(/^[0-9a-z]{16}$/);
const MESSAGE_ID = fc.stringMatching(/^[0-9a-z]{29}$/);

/** Values that sit on the schemas' edges: ids and near-ids, names, long and strange text. */
export const edgeValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue(),
  fc.string({ unit: "binary", maxLength: 40 }),
  ID16,
  MESSAGE_ID,
  ID16.map((id) => `u:${id}`),
  ID16.map((id) => `g:${id}`),
  fc.array(fc.oneof(ID16, MESSAGE_ID, fc.string()), { maxLength: 4 }),
  fc.constantFrom(
    "",
    " ",
    "a\nb",
    "x\u202ey",
    "\u200b",
    "\ud800",
    "ok\u0000",
    "a long password",
    "Alice.B",
    "everyone",
    "me",
    "nobody",
    "a".repeat(141),
    "😀".repeat(4097),
    -1,
    1.5,
    2 ** 53,
    1e300,
    true,
    null,
  ),
);

const STRAY_KEYS = ["__proto__", "constructor", "toString", "extra", "admin"];

/** An object with some of `keys` (and maybe a stray one), each holding an edge value. */
export function nearObject(keys: readonly string[]): fc.Arbitrary<Record<string, unknown>> {
  return fc.dictionary(fc.constantFrom(...keys, ...STRAY_KEYS), edgeValue, { maxKeys: keys.length + 1 });
}

/** A body's text: any JSON, a near body, or text that is not JSON at all. */
export function bodyText(keys: readonly string[]): fc.Arbitrary<string> {
  return fc.oneof(
    fc.jsonValue().map((value) => JSON.stringify(value)),
    nearObject(keys).map((value) => JSON.stringify(value)),
    fc.string({ maxLength: 30 }),
  );
}

const FRAME_KEYS = [...new Set(Object.values(CLIENT_FRAMES).flatMap((schema) => Object.keys(schema.entries)))].filter(
  (key) => key !== "type",
);

/** A frame's text: any JSON, a near frame of a known (or unknown) type, or not JSON. */
export const frameText: fc.Arbitrary<string> = fc.oneof(
  fc.jsonValue().map((value) => JSON.stringify(value)),
  fc
    .tuple(fc.constantFrom(...Object.keys(CLIENT_FRAMES), "nope", "__proto__"), nearObject(FRAME_KEYS))
    .map(([type, rest]) => JSON.stringify({ ...rest, type })),
  fc.string({ maxLength: 30 }).filter((text) => text !== "ping"),
);
