// An error under a form, announced to screen readers as it appears.

import { errorInWords } from "../store/error-words";

export const errorText = errorInWords;

export function FormError({ text }: { text: string | null }) {
  return (
    <p class="form-error" role="alert">
      {text ?? ""}
    </p>
  );
}
