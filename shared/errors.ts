/**
 * Every error a user can meet, in one table: a stable code, what happened in the user's words, and how to fix
 * it. The helper sends `{code, message, hint}`; the panel and the CLI show message and hint as they are.
 * No Node or UXP APIs here: both sides import this file.
 */
import { z } from "zod";

export interface ErrorInfo {
  readonly message: string;
  readonly hint: string;
}

export const ERRORS = {
  // Protocol and connection
  E_BAD_MESSAGE: {
    message: "The helper could not read that message.",
    hint: "Update the panel and the helper to the same Tessera version.",
  },
  E_BAD_REQUEST: {
    message: "The request has a value the helper cannot use.",
    hint: "Check the field named in the details and send it again.",
  },
  E_PROTOCOL_VERSION: {
    message: "The panel and the helper speak different protocol versions.",
    hint: "Install the same Tessera version for the panel and the helper.",
  },
  E_NOT_AUTHENTICATED: {
    message: "This connection has not said hello with a valid token yet.",
    hint: "Pair the panel with the helper (Settings > Pair), then reconnect.",
  },
  E_UNAUTHORIZED: {
    message: "The helper refused the access token.",
    hint: "Pair again: run `tessera pair` to see the code, then enter it in the panel.",
  },
  E_PAIRING_CODE: {
    message: "That pairing code is wrong or has expired.",
    hint: "Ask for a new code in the panel and type the 6 digits the helper shows (codes live 2 minutes).",
  },
  E_PAIRING_LOCKED: {
    message: "Pairing is paused after too many wrong codes.",
    hint: "Wait 10 minutes, then ask for a new code.",
  },
  E_TOO_MANY_SESSIONS: {
    message: "The helper already serves the most connections it allows.",
    hint: "Close another panel or harness tab connected to this helper.",
  },
  E_PORTS_BUSY: {
    message: "No free port for the helper.",
    hint: "Stop the program that holds ports 48750-48753, or start the helper with --port.",
  },
  E_HELPER_RUNNING: {
    message: "Another Tessera helper already uses this data folder.",
    hint: "Use the helper that is running, stop it first, or start this one with --data-dir DIR.",
  },
  E_HELPER_UNREACHABLE: {
    message: "The Tessera helper is not running.",
    hint: "Start Tessera Helper from the folder it was unpacked to (or run `tessera serve`, `npm start` in a checkout) and keep it running; `tessera service install` starts it at every login.",
  },
  E_LOGIN_ITEM: {
    message: "The helper could not be registered to start at login.",
    hint: "Run `tessera service install` in a terminal of your desktop session, or start the helper yourself with `tessera serve`.",
  },
  // Jobs
  E_JOB_NOT_FOUND: {
    message: "There is no such job.",
    hint: "The job may have finished already; look in History.",
  },
  E_CANCELLED: {
    message: "The job was cancelled.",
    hint: "Generate again when you are ready.",
  },
  E_WORKER_CRASHED: {
    message: "The generator stopped unexpectedly.",
    hint: "The job was retried once. Try a shorter clip or a smaller size; `tessera doctor` checks the setup.",
  },
  E_TIMEOUT: {
    message: "A step took far longer than expected and was stopped.",
    hint: "Try fewer frames or a smaller size, or run `tessera doctor`.",
  },
  E_QUEUE_FULL: {
    message: "The queue is full.",
    hint: "Wait for queued jobs to finish or cancel some.",
  },
  // Requests and models
  E_DURATION: {
    message: "That duration cannot be generated.",
    hint: "Ask for at least one frame and at most 10 minutes.",
  },
  E_CAPABILITY: {
    message: "The selected model cannot do that.",
    hint: "Pick a model whose capabilities include this workflow, or use plain B-roll.",
  },
  E_MODEL_NOT_FOUND: {
    message: "That model is not installed.",
    hint: "Run `tessera models` to list installed models, or `tessera models install URL|DIR`.",
  },
  E_MODEL_INVALID: {
    message: "The model package is not valid.",
    hint: "Reinstall the model package; the details name the bad field or file.",
  },
  E_MODEL_HASH: {
    message: "A model file does not match its checksum.",
    hint: "The file is damaged or incomplete: reinstall the model with `tessera models install`.",
  },
  E_DOWNLOAD: {
    message: "The model download failed.",
    hint: "Check the address and your connection, then run the install again: it resumes where it stopped.",
  },
  E_DISK_FULL: {
    message: "There is not enough free disk space.",
    hint: "Free some space on the drive named in the details, or choose another folder.",
  },
  E_DEVICE_UNAVAILABLE: {
    message: "The requested device is not available.",
    hint: "Tessera fell back to the CPU. Run `tessera doctor` to see which devices work here.",
  },
  E_OUT_OF_MEMORY: {
    message: "The device ran out of memory.",
    hint: "Try the smaller size or shorter window suggested in the details.",
  },
  // Engines (a ComfyUI server)
  E_ENGINE_UNREACHABLE: {
    message: "The engine server could not be reached.",
    hint: "Check that the server runs and the address is right (`tessera engines`); `tessera doctor` tests it.",
  },
  E_ENGINE_TEMPLATE: {
    message: "The workflow template does not fit the engine server.",
    hint: "Install the missing nodes or model files named in the details on the server, or pick another model; `tessera doctor` lists what is missing.",
  },
  E_ENGINE_FAILED: {
    message: "The engine server could not make the clip.",
    hint: "The details quote the server's error; check the server's console, then try again.",
  },
  // Safety
  E_POLICY: {
    message: "The prompt was refused by the content policy.",
    hint: "Rephrase the prompt; the details name the rule it met.",
  },
  E_OUTPUT_CHECK: {
    message: "The generated clip did not pass the output check.",
    hint: "Try another seed or rephrase the prompt.",
  },
  // Media
  E_FFMPEG_MISSING: {
    message: "ffmpeg or ffprobe was not found.",
    hint: "Reinstall Tessera (npm install ships ffmpeg), install ffmpeg, or set TESSERA_FFMPEG and TESSERA_FFPROBE.",
  },
  E_PATH_REFUSED: {
    message: "That path is not allowed.",
    hint: "Use a regular video file on a local disk or mounted volume; add network shares to the allowed roots in settings.",
  },
  E_MEDIA_UNSUPPORTED: {
    message: "That file is not a video Tessera can read.",
    hint: "Use a video file (MP4, MOV, MXF, AVI, MKV...) or render the clip first.",
  },
  E_MEDIA_CORRUPT: {
    message: "The video file could not be decoded.",
    hint: "The file may be damaged or incomplete; re-export it and try again.",
  },
  E_ENCODE: {
    message: "Writing the video file failed.",
    hint: "Check that the output folder is writable and has space; `tessera doctor` checks the encoders.",
  },
  E_INTERNAL: {
    message: "Something went wrong inside Tessera.",
    hint: "Run `tessera doctor`; if it persists, send the helper log with a bug report.",
  },
} as const satisfies Record<string, ErrorInfo>;

export type ErrorCode = keyof typeof ERRORS;

export const ERROR_CODES = Object.keys(ERRORS) as [ErrorCode, ...ErrorCode[]];
export const ErrorCodeSchema = z.enum(ERROR_CODES);

/** An error that knows its code; `detail` adds the specific cause (field, file, value) to the table's message. */
export class TesseraError extends Error {
  readonly code: ErrorCode;
  readonly hint: string;
  readonly detail: string | undefined;

  constructor(code: ErrorCode, detail?: string, options?: { hint?: string; cause?: unknown }) {
    const info = ERRORS[code];
    super(detail ? `${info.message} ${detail}` : info.message, { cause: options?.cause });
    this.name = "TesseraError";
    this.code = code;
    this.hint = options?.hint ?? info.hint;
    this.detail = detail;
  }
}

export interface ErrorBody {
  code: ErrorCode;
  message: string;
  hint: string;
}

/** The `{code, message, hint}` body for any thrown value; unknown errors become E_INTERNAL with their text. */
export function toErrorBody(error: unknown): ErrorBody {
  if (error instanceof TesseraError) return { code: error.code, message: error.message, hint: error.hint };
  const text = error instanceof Error ? error.message : String(error);
  return { code: "E_INTERNAL", message: `${ERRORS.E_INTERNAL.message} ${text}`, hint: ERRORS.E_INTERNAL.hint };
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === "string" && Object.hasOwn(ERRORS, value);
}
