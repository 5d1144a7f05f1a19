// Synthetic chat text for the search benchmark: a vocabulary of made-up words
// whose frequencies follow Zipf's law (as words in real text do), so that the
// most common word is in most messages and the tail is rare. Seeded, so every
// run sends the same messages. A few marker words are planted on purpose.

const SYLLABLES =
  "ba be bi bo bu da de di do du ka ke ki ko ku la le li lo lu ma me mi mo mu na ne ni no nu ra re ri ro ru sa se si so su ta te ti to tu va ve vi vo vu za ze zi zo zu".split(
    " ",
  );

/** mulberry32: a small, fast, seeded PRNG. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Corpus {
  texts: string[];
  /** Words by rank: vocabulary[0] is the most frequent. */
  vocabulary: string[];
  /** Planted in exactly RARE_COUNT messages. */
  rare: string;
  /** In no message. */
  missing: string;
}

export const RARE_COUNT = 10;

export function makeCorpus(count: number, vocabularySize = 20_000, seed = 42): Corpus {
  const random = prng(seed);
  const seen = new Set<string>();
  const vocabulary: string[] = [];
  while (vocabulary.length < vocabularySize) {
    const length = 2 + Math.floor(random() * 3);
    let word = "";
    for (let i = 0; i < length; i++) word += SYLLABLES[Math.floor(random() * SYLLABLES.length)];
    if (!seen.has(word)) {
      seen.add(word);
      vocabulary.push(word);
    }
  }
  // Cumulative Zipf weights (exponent 1) for sampling by binary search.
  const cumulative: number[] = [];
  let total = 0;
  for (let rank = 1; rank <= vocabularySize; rank++) {
    total += 1 / rank;
    cumulative.push(total);
  }
  const pick = () => {
    const x = random() * total;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((cumulative[mid] ?? 0) < x) lo = mid + 1;
      else hi = mid;
    }
    return vocabulary[lo] ?? "";
  };
  const rare = "xylophonic";
  const missing = "quetzalcoatl";
  const rareAt = new Set(Array.from({ length: RARE_COUNT }, (_, i) => Math.floor(((i + 0.5) * count) / RARE_COUNT)));
  const texts: string[] = [];
  for (let i = 0; i < count; i++) {
    const words = Array.from({ length: 3 + Math.floor(random() * 15) }, pick);
    if (rareAt.has(i)) words.splice(1, 0, rare);
    texts.push(words.join(" "));
  }
  return { texts, vocabulary, rare, missing };
}

/** How many texts hold every word as the start of one of their words (what search matches). */
export function countMatches(texts: readonly string[], words: readonly string[]): number {
  let n = 0;
  for (const text of texts) {
    const tokens = text.split(" ");
    if (words.every((w) => tokens.some((t) => t.startsWith(w)))) n++;
  }
  return n;
}

/** The `count` prefixes of `length` letters that start the most words of the texts: an adversary's query. */
export function commonPrefixes(texts: readonly string[], length: number, count: number): string[] {
  const counts = new Map<string, number>();
  for (const text of texts) {
    for (const token of text.split(" ")) {
      if (token.length >= length) counts.set(token.slice(0, length), (counts.get(token.slice(0, length)) ?? 0) + 1);
    }
  }
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([prefix]) => prefix);
}
