/**
 * Turning raw WebSocket text into typed messages. A bad message never throws: it comes back as the `error` reply
 * the other side should receive, with every problem named by its path ("request.fps.den: ...").
 */
import type { z } from "zod";
import { ERRORS } from "./errors.js";
import {
  ClientMessageSchema,
  HelperMessageSchema,
  type ClientMessage,
  type HelperMessage,
  type HelperMessageOf,
} from "./protocol.js";

/** Largest text frame either side accepts; the helper's WebSocket maxPayload matches it. */
export const MAX_MESSAGE_BYTES = 1024 * 1024;

export type Parsed<T> = { ok: true; message: T } | { ok: false; error: HelperMessageOf<"error"> };

/** "a.b[0].c: message; d: message" — short enough for a log line, exact enough to fix the sender. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 8)
    .map((issue) => {
      const path = issue.path
        .map((part, i) => (typeof part === "number" ? `[${part}]` : i === 0 ? String(part) : `.${String(part)}`))
        .join("");
      return `${path || "(message)"}: ${issue.message}`;
    })
    .join("; ");
}

function requestIdOf(value: unknown): string | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const id = (value as { requestId?: unknown }).requestId;
  return typeof id === "string" && id.length > 0 && id.length <= 64 ? id : undefined;
}

function badMessage(detail: string, requestId?: string): HelperMessageOf<"error"> {
  const { message, hint } = ERRORS.E_BAD_MESSAGE;
  return {
    type: "error",
    ...(requestId === undefined ? {} : { requestId }),
    code: "E_BAD_MESSAGE",
    message: `${message} ${detail}`,
    hint,
  };
}

function parseWith<T>(schema: z.ZodType<T>, text: string): Parsed<T> {
  if (text.length > MAX_MESSAGE_BYTES) return { ok: false, error: badMessage("The message is larger than 1 MiB.") };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, error: badMessage("It is not JSON.") };
  }
  const result = schema.safeParse(value);
  if (result.success) return { ok: true, message: result.data };
  return { ok: false, error: badMessage(describeIssues(result.error), requestIdOf(value)) };
}

export function parseClientMessage(text: string): Parsed<ClientMessage> {
  return parseWith(ClientMessageSchema, text);
}

export function parseHelperMessage(text: string): Parsed<HelperMessage> {
  return parseWith(HelperMessageSchema, text);
}
