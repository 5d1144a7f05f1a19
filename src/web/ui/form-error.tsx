// An error under a form, announced to screen readers as it appears.

import { ApiError } from "../../client";

export function errorText(err: unknown): string {
  if (err instanceof ApiError) return err.message;
  return "Something went wrong. Try again.";
}

export function FormError({ text }: { text: string | null }) {
  return (
    <p class="form-error" role="alert">
      {text ?? ""}
    </p>
  );
}
