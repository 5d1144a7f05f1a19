// A round profile picture, or the name's initials on a colour of its own
// when there is none. Decorative: the name beside it is what screen readers read.

interface Props {
  name: string;
  src?: string | null;
  online?: boolean;
  size?: number;
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
  for (const ch of name) hue = (hue * 31 + (ch.codePointAt(0) ?? 0)) % 360;
  return (
    <span class="avatar" style={{ width: `${size}px`, height: `${size}px` }} aria-hidden="true">
      {src ? (
        <img src={src} alt="" width={size} height={size} />
      ) : (
        <span class="initials" style={{ background: `hsl(${hue} 45% 45%)`, fontSize: `${Math.round(size * 0.4)}px` }}>
          {initials}
        </span>
      )}
      {online ? <span class="online-dot" data-testid="online-dot" /> : null}
    </span>
  );
}
