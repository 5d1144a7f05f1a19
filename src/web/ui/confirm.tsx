// A question before something that cannot be undone (delete for everyone,
// removing a member, leaving a group): the browser's own modal <dialog>, so
// the focus stays inside it and Escape cancels. The page's Escape-goes-back
// is skipped while a dialog is open (app.tsx).

import type { ComponentChildren } from "preact";
import type { Question } from "../store/question";
import { Modal } from "./modal";

export function Confirm({ question, onClose }: { question: Question; onClose: () => void }) {
  return (
    <Modal
      id="confirm"
      title={question.title}
      role="alertdialog"
      describedBy={question.body ? "confirm-body" : undefined}
      onClose={onClose}
    >
      {question.body ? <p id="confirm-body">{question.body}</p> : null}
      <div class="confirm-buttons">
        <DialogButton onClick={onClose}>Cancel</DialogButton>
        {question.choices.map((choice) => (
          <DialogButton
            key={choice.label}
            danger={choice.danger}
            onClick={() => {
              onClose();
              choice.run();
            }}
          >
            {choice.label}
          </DialogButton>
        ))}
      </div>
    </Modal>
  );
}

function DialogButton({
  children,
  danger,
  onClick,
}: {
  children: ComponentChildren;
  danger?: boolean;
  onClick: () => void;
}) {
  return (
    <button type="button" class={danger ? "danger-fill" : undefined} onClick={onClick}>
      {children}
    </button>
  );
}
