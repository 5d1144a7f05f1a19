// A small menu (the message menu, a chat's header menu): the first item takes
// the focus, arrow keys / Home / End move, Escape closes and gives the focus
// back, Tab or a click elsewhere closes it.

import { useLayoutEffect, useRef } from "preact/hooks";

export interface MenuItem {
  label: string;
  run: () => void;
  danger?: boolean;
}

export function PopupMenu({
  label,
  items,
  className,
  onClose,
}: {
  label: string;
  items: MenuItem[];
  className: string;
  /** `refocus`: give the focus back to what opened the menu (Escape). */
  onClose: (refocus: boolean) => void;
}) {
  const menu = useRef<HTMLDivElement>(null);
  // A layout effect: the first item has the focus in the same task as what opened
  // the menu, so a key pressed at once (End, an arrow) reaches the menu.
  useLayoutEffect(() => {
    menu.current?.querySelector<HTMLElement>("[role=menuitem]")?.focus();
    const outside = (e: PointerEvent) => {
      if (!menu.current?.parentElement?.contains(e.target as Node)) onClose(false);
    };
    document.addEventListener("pointerdown", outside, true);
    return () => document.removeEventListener("pointerdown", outside, true);
  }, []);

  function onKeyDown(e: KeyboardEvent) {
    const buttons = [...(menu.current?.querySelectorAll<HTMLElement>("[role=menuitem]") ?? [])];
    const at = buttons.indexOf(document.activeElement as HTMLElement);
    const move = (to: number) => buttons[(to + buttons.length) % buttons.length]?.focus();
    if (e.key === "ArrowDown") move(at + 1);
    else if (e.key === "ArrowUp") move(at - 1);
    else if (e.key === "Home") move(0);
    else if (e.key === "End") move(buttons.length - 1);
    else if (e.key === "Escape" || e.key === "Tab") onClose(e.key === "Escape");
    else return;
    e.preventDefault();
    e.stopPropagation();
  }

  return (
    <div ref={menu} class={`popup-menu ${className}`} role="menu" aria-label={label} onKeyDown={onKeyDown}>
      {items.map((item) => (
        <button
          key={item.label}
          type="button"
          role="menuitem"
          tabIndex={-1}
          class={item.danger ? "danger-text" : undefined}
          onClick={() => {
            onClose(false);
            item.run();
          }}
        >
          {item.label}
        </button>
      ))}
    </div>
  );
}
