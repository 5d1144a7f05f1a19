// A modal <dialog> with a title, for the message dialogs (reacting, who
// reacted, forwarding) and the questions (./confirm.tsx): the browser keeps
// the focus inside and Escape closes it. The page's Escape-goes-back is skipped while a dialog is open (app.tsx).

import type { ComponentChildren } from "preact";
import { useLayoutEffect, useRef } from "preact/hooks";

export function Modal({
  id,
  title,
  className,
  role,
  describedBy,
  onClose,
  children,
}: {
  id: string;
  title: string;
  className?: string;
  /** "alertdialog" for a question before something that cannot be undone. */
  role?: "alertdialog";
  describedBy?: string;
  onClose: () => void;
  children: ComponentChildren;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  useLayoutEffect(() => {
    const el = dialog.current;
    if (el && !el.open) el.showModal();
    return () => el?.close();
  }, []);
  return (
    <dialog
      ref={dialog}
      class={className ? `confirm ${className}` : "confirm"}
      role={role}
      aria-labelledby={`${id}-title`}
      aria-describedby={describedBy}
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
    >
      <h2 id={`${id}-title`}>{title}</h2>
      {children}
    </dialog>
  );
}
