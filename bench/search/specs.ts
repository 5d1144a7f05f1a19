// The queries the search benchmark times, from the corpus it sent: the most
// common word, prefixes of it, a mid-frequency word, a planted rare word, an
// absent one, and an adversary's worst case (the most common 3-letter
// prefixes, as many as a query may hold).

import { SEARCH_WORDS_MAX } from "../../src/shared/limits";
import { type Corpus, commonPrefixes } from "./corpus";
import type { QuerySpec } from "./engine";

export function querySpecs(corpus: Corpus): QuerySpec[] {
  const [common, tenth, mid] = [corpus.vocabulary[0] ?? "", corpus.vocabulary[9] ?? "", corpus.vocabulary[199] ?? ""];
  return [
    { name: "common word (rank 1)", words: [common] },
    { name: "common word, page from the middle", words: [common], beforeIndex: Math.floor(corpus.texts.length / 2) },
    { name: "1-letter prefix", words: [common.slice(0, 1)] },
    { name: "2-letter prefix", words: [common.slice(0, 2)] },
    { name: "3-letter prefix", words: [common.slice(0, 3)] },
    { name: "two common words (ranks 1, 10)", words: [common, tenth] },
    { name: "mid word (rank 200)", words: [mid] },
    { name: `rare word (${corpus.rare})`, words: [corpus.rare] },
    { name: "absent word", words: [corpus.missing] },
    { name: "8 most common 3-letter prefixes", words: commonPrefixes(corpus.texts, 3, 8) },
    {
      name: `worst case: ${SEARCH_WORDS_MAX} most common 3-letter prefixes`,
      words: commonPrefixes(corpus.texts, 3, SEARCH_WORDS_MAX),
    },
  ];
}
