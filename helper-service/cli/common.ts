/** What every command shares: the data dir, default model folders, option parsing and exit codes. */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { InvalidArgumentError } from "commander";
import { ERRORS, TesseraError, toErrorBody, type ErrorCode } from "../../shared/errors.js";
import { parseFrameRate, type FrameRate } from "../../shared/time.js";
import { REFERENCE_DIR } from "../inference/reference-dir.js";
import { ensureDataDir } from "../server/data-dir.js";

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_BAD_INPUT = 2;

/** Errors caused by what the user typed (exit 2), as opposed to the machine or the model (exit 1). */
const BAD_INPUT: ReadonlySet<ErrorCode> = new Set([
  "E_BAD_REQUEST",
  "E_DURATION",
  "E_CAPABILITY",
  "E_POLICY",
  "E_PATH_REFUSED",
  "E_MEDIA_UNSUPPORTED",
]);

export class UsageError extends Error {}

/** A TesseraError caused by what the user asked for (exit 2) although its code is not always bad input. */
export class InputError extends TesseraError {}

export function exitCodeFor(error: unknown): number {
  if (error instanceof UsageError || error instanceof InvalidArgumentError || error instanceof InputError) return EXIT_BAD_INPUT;
  if (error instanceof TesseraError && BAD_INPUT.has(error.code)) return EXIT_BAD_INPUT;
  return EXIT_FAILED;
}

/** "tessera: message" and, for known errors, "  fix: hint" on stderr. */
export function printError(error: unknown): void {
  if (error instanceof UsageError || error instanceof InvalidArgumentError) {
    process.stderr.write(`tessera: ${error.message}\n  fix: run \`tessera help\` for the options.\n`);
    return;
  }
  const body = toErrorBody(error);
  process.stderr.write(`tessera: ${body.message}\n  fix: ${body.hint}\n`);
}

/** The OS user config folder (e.g. ~/.config/tessera), or TESSERA_DATA_DIR. */
export async function defaultDataDir(): Promise<string> {
  if (process.env.TESSERA_DATA_DIR) return resolve(process.env.TESSERA_DATA_DIR);
  // Loaded on demand: env-paths is ESM-only and only needed when no --data-dir is given.
  const { default: envPaths } = await import("env-paths");
  return envPaths("tessera", { suffix: "" }).config;
}

export async function dataDirOf(option: string | undefined): Promise<string> {
  return ensureDataDir(option ?? (await defaultDataDir()));
}

/**
 * The shipped reference model, when this install has it (a checkout may not have fetched it yet).
 * TESSERA_REFERENCE_DIR points elsewhere (a packaged install keeping models in a shared folder), or, set empty,
 * leaves the reference model out (a machine that should use only installed models).
 */
export function referenceModelDirs(): string[] {
  const override = process.env.TESSERA_REFERENCE_DIR;
  const dir = override === undefined ? REFERENCE_DIR : override === "" ? undefined : resolve(override);
  return dir !== undefined && existsSync(resolve(dir, "model.json")) ? [dir] : [];
}

export const NO_MODEL_FIX =
  "Install one with `tessera models install URL|DIR`, put the reference model in models/reference, or start the helper " +
  "with --model DIR (tests/fixtures/tiny-model is a tiny random model for trying the tool).";

export const NO_MODEL_MESSAGE =
  "no model installed: the reference model is not in models/reference. Install one with `tessera models install URL|DIR`, " +
  "or start with --model DIR (e.g. --model tests/fixtures/tiny-model for a tiny random test model).";

// Option parsers: commander calls these; a bad value is an InvalidArgumentError (exit 2).

export function parseIntOption(name: string, min: number, max: number) {
  return (value: string): number => {
    if (!/^\d+$/.test(value.trim())) throw new InvalidArgumentError(`${name} must be a whole number.`);
    const n = Number(value);
    if (n < min || n > max) throw new InvalidArgumentError(`${name} must be from ${min} to ${max}.`);
    return n;
  };
}

export function parseNumberOption(name: string, min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === "" || !Number.isFinite(n)) throw new InvalidArgumentError(`${name} must be a number.`);
    if (n < min || n > max) throw new InvalidArgumentError(`${name} must be from ${min} to ${max}.`);
    return n;
  };
}

export function parseFps(value: string): FrameRate {
  try {
    return parseFrameRate(value.includes("/") ? value : Number.isNaN(Number(value)) ? value : Number(value));
  } catch (error) {
    throw new InvalidArgumentError(`--fps ${value}: ${(error as Error).message} (e.g. 24, 25, 23.976, 30000/1001).`);
  }
}

export function parseSize(value: string): { width: number; height: number } {
  const match = /^(\d+)x(\d+)$/i.exec(value.trim());
  if (!match) throw new InvalidArgumentError(`--size ${value}: write it as WIDTHxHEIGHT, e.g. 1920x1080.`);
  const width = Number(match[1]);
  const height = Number(match[2]);
  if (width < 16 || height < 16 || width > 8192 || height > 8192) {
    throw new InvalidArgumentError(`--size ${value}: each side must be from 16 to 8192 pixels.`);
  }
  return { width, height };
}

export function usage(message: string): UsageError {
  return new UsageError(message);
}

export function errorLine(code: ErrorCode): string {
  return ERRORS[code].message;
}
