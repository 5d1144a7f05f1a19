// A round profile picture, or the name's initials on a colour of its own
// when there is none (one of 12 hues, dark enough for white text). Sizes and
// colours are classes (styles/base.css): the page's CSP allows no inline
// style. Decorative: the name beside it is what screen readers read.

interface Props {
  name: string;
  src?: string | null;
  online?: boolean;
  size?: 36 | 44 | 96;
}

export function Avatar({ name, src, online, size = 44 }: Props) {
  const initials = name
    .replace(/[^\p{L}\p{N}\s]/gu, "")
    .split(/\s+/)
    .map((part) => [...part][0] ?? "")
    .join("")
    .slice(0, 2)
    .toUpperCase();
  let hue = 0;
  for (const ch of name) hue = (hue * 31 + (ch.codePointAt(0) ?? 0)) % 12;
  return (
    <span class={`avatar s${size}`} aria-hidden="true">
      {src ? (
        <img src={src} alt="" width={size} height={size} />
      ) : (
        <span class={`initials hue-${hue}`}>{initials}</span>
      )}
      {online ? <span class="online-dot" data-testid="online-dot" /> : null}
    </span>
  );
}
