import { ERRORS, type ErrorCode } from "../../shared/errors.js";

/** An error reply from the helper (or a local one in the same shape): code, message and how to fix it. */
export class HelperError extends Error {
  override readonly name = "HelperError";

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly hint: string,
  ) {
    super(message);
  }

  static of(code: ErrorCode, detail?: string): HelperError {
    const info = ERRORS[code];
    return new HelperError(code, detail ? `${info.message} ${detail}` : info.message, info.hint);
  }
}
