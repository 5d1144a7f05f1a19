// The same rules the server applies to a message's text, checked before queuing,
// so that a message that can never be accepted is refused at once, not retried.

import { AppError } from "../shared/errors";
import { TEXT_MAX } from "../shared/limits";
import { checkMessageText, codePoints } from "../shared/text-rules";
import { ApiError } from "./api-error";

export function checkText(text: string): void {
  if (text.length === 0) throw new ApiError("invalid_field", "text must not be empty", 400);
  if (codePoints(text) > TEXT_MAX) {
    throw new ApiError("text_too_long", `text must be at most ${TEXT_MAX} characters`, 400);
  }
  try {
    checkMessageText(text);
  } catch (err) {
    throw err instanceof AppError ? new ApiError(err.code, err.message, 400) : err;
  }
}
