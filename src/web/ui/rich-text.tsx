// A message's text as text nodes, with http(s) links made clickable and the
// words of an in-chat search marked. Nothing is ever parsed as HTML: the only
// elements made are <a> (for URLs that parse as http or https) and <mark>.

import type { ComponentChildren } from "preact";

const URL_PATTERN = /\bhttps?:\/\/[^\s<>"]+/gi;
/** Punctuation that ends a sentence rather than the URL ("see https://x.org."). */
const TRAILING = /[.,;:!?'")\]]+$/;

export function RichText({ text, mark }: { text: string; mark?: string }) {
  const out: ComponentChildren[] = [];
  let at = 0;
  for (const match of text.matchAll(URL_PATTERN)) {
    const raw = match[0].replace(TRAILING, "");
    const start = match.index ?? 0;
    const href = safeHref(raw);
    if (!href) continue;
    out.push(...marked(text.slice(at, start), mark, out.length));
    out.push(
      <a key={`a${start}`} href={href} target="_blank" rel="noopener noreferrer" tabIndex={-1}>
        {marked(raw, mark, out.length)}
      </a>,
    );
    at = start + raw.length;
  }
  out.push(...marked(text.slice(at), mark, out.length));
  return <>{out}</>;
}

/** The first link of a text, for the message menu (keyboard users open it there). */
export function firstLink(text: string): string | null {
  for (const match of text.matchAll(URL_PATTERN)) {
    const href = safeHref(match[0].replace(TRAILING, ""));
    if (href) return href;
  }
  return null;
}

function safeHref(raw: string): string | null {
  try {
    const url = new URL(raw);
    return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
  } catch {
    return null;
  }
}

/** Splits text around case-insensitive occurrences of `mark`. */
function marked(text: string, mark: string | undefined, keyBase: number): ComponentChildren[] {
  if (text === "") return [];
  if (!mark) return [text];
  const pattern = new RegExp(mark.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"), "giu");
  const out: ComponentChildren[] = [];
  let at = 0;
  for (const match of text.matchAll(pattern)) {
    const i = match.index ?? 0;
    if (i > at) out.push(text.slice(at, i));
    out.push(<mark key={`m${keyBase}-${i}`}>{match[0]}</mark>);
    at = i + match[0].length;
  }
  if (at < text.length) out.push(text.slice(at));
  return out;
}
