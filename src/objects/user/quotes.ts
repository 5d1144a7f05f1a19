// Replies quote an earlier message of the same chat: its id, sender and the
// start of its text. A mailbox keeps each quote in step with its own copy of
// the quoted message: an edit there changes the excerpt, a delete for
// everyone empties it (so deleted text survives nowhere, quotes included).

import { QUOTE_EXCERPT_MAX } from "../../shared/limits";
import { mediaLabel } from "../../shared/media-label";
import type { Media, Quote } from "../../shared/protocol";

/** The first QUOTE_EXCERPT_MAX characters (code points) of a text. */
export function excerpt(text: string): string {
  let out = "";
  let n = 0;
  for (const ch of text) {
    if (n === QUOTE_EXCERPT_MAX) break;
    out += ch;
    n++;
  }
  return out;
}

export function quoteOf(row: {
  id: string;
  sender: string;
  text: string;
  deleted_at: number | null;
  media?: string | null;
}): Quote {
  return row.deleted_at === null
    ? { id: row.id, from: row.sender, excerpt: excerpt(row.text || labelOf(row.media)) }
    : { id: row.id, from: row.sender, excerpt: "", deleted: true };
}

/** A quote as the three columns of its reply (reply_to, reply_from, reply_excerpt); a deleted one keeps no excerpt. */
export function quoteColumns(quote: Quote | null | undefined): [string | null, string | null, string | null] {
  if (!quote) return [null, null, null];
  return [quote.id, quote.from, quote.deleted ? null : quote.excerpt];
}

/** Quotes of `id` in this mailbox follow its new text, or its deletion (text null). */
export function refreshQuotes(sql: SqlStorage, id: string, text: string | null): void {
  if (text === null) {
    sql.exec("UPDATE messages SET reply_excerpt = NULL WHERE reply_to = ?", id);
  } else {
    sql.exec(
      "UPDATE messages SET reply_excerpt = ? WHERE reply_to = ? AND reply_excerpt IS NOT NULL",
      excerpt(text),
      id,
    );
  }
}

/** A quoted photo, file or voice note without a caption (its column's JSON): what it is, in words. */
function labelOf(media: string | null | undefined): string {
  return media ? mediaLabel(JSON.parse(media) as Media) : "";
}
