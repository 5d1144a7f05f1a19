// Search over archived pages (docs/archive.md, "Search"): an FTS5 index covers
// only what is in SQLite, so archived rows are matched in code, the way the
// index's tokenizer would. Shared by the group log and the mailbox.

/**
 * The FTS5 expression of search-query.ts (`"word"*` ANDed) as a test of a
 * text, folded as the index's tokenizer folds it (unicode61, diacritics
 * removed): every word starts a word of the text (a word the tokenizer splits
 * in several, such as "don't", as consecutive words).
 */
export function textMatcher(match: string): (text: string) => boolean {
  const words = [...match.matchAll(/"((?:[^"]|"")*)"\*/g)]
    .map((m) => tokens((m[1] ?? "").replaceAll('""', '"')))
    .filter((parts) => parts.length > 0);
  return (text) => {
    if (words.length === 0) return false;
    const have = tokens(text);
    return words.every((parts) => have.some((_, i) => phraseAt(have, i, parts)));
  };
}

function phraseAt(have: readonly string[], at: number, parts: readonly string[]): boolean {
  return parts.every((part, k) => {
    const token = have[at + k];
    if (token === undefined) return false;
    return k === parts.length - 1 ? token.startsWith(part) : token === part;
  });
}

function tokens(text: string): string[] {
  return text
    .normalize("NFKD")
    .replace(/\p{M}+/gu, "")
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((t) => t.length > 0);
}
