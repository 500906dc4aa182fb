/**
 * The panel's side of the After Effects JSON bridge: each call becomes one ExtendScript expression run by
 * CSInterface.evalScript, and each answer one JSON text from host.jsx, checked with zod before anything uses it.
 * After Effects' own failures arrive as structured errors and become HostErrors with host.jsx's sentence; a reply
 * that is not Tessera's (CEP's bare "EvalScript error.", a truncated string, a script from an older install) is
 * refused with a sentence that says what to do.
 */
import { z } from "zod";
import { HostError } from "../editor-host.js";

/** Runs one ExtendScript expression and resolves with what CEP hands back: always a string. */
export type EvalScript = (script: string) => Promise<string>;

/** What CEP's CSInterface.evalScript passes to its callback when ExtendScript throws (CSInterface.js). */
export const EVALSCRIPT_ERROR = "EvalScript error.";
const NOT_LOADED = "tessera-not-loaded";

export const CALLS = ["readState", "readStamp", "importFootage", "applyEdit", "saveText"] as const;
export type CallName = (typeof CALLS)[number];

const ReplySchema = z.discriminatedUnion("ok", [
  z.object({ ok: z.literal(true), value: z.unknown() }),
  z.object({
    ok: z.literal(false),
    error: z.object({ code: z.string(), message: z.string(), line: z.number().nullable().optional() }),
  }),
]);

/** After Effects refused or failed a call; `code` says which rule (e.g. "locked", "comp-changed", "extendscript"). */
export class AfterEffectsError extends HostError {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * A JSON value as ExtendScript source. JSON is an expression in ES3 too, except that ES3 counts U+2028 and U+2029
 * as line ends, which would end a string literal early. Every character past ASCII is written as a \u escape, which
 * also keeps file names and prompts in any script intact whatever encoding the evalScript path uses.
 */
export function scriptLiteral(value: unknown): string {
  return JSON.stringify(value ?? null).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** The expression for one call; answers a marker when host.jsx is not loaded in this ExtendScript engine. */
export function callScript(name: CallName, args: unknown): string {
  return `(typeof tesseraCall === "function" ? tesseraCall(${scriptLiteral(name)}, ${scriptLiteral(args)}) : "${NOT_LOADED}")`;
}

export interface JsxBridgeOptions {
  /** An expression that loads host.jsx (`$.evalFile(...)`), used once if the manifest's ScriptPath did not run. */
  loader?: string;
}

function preview(text: string): string {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length > 80 ? `${line.slice(0, 79)}…` : line || "(nothing)";
}

export class JsxBridge {
  private loaded: Promise<void> | null = null;

  constructor(
    private readonly evaluate: EvalScript,
    private readonly options: JsxBridgeOptions = {},
  ) {}

  async call<S extends z.ZodType>(name: CallName, args: unknown, schema: S): Promise<z.infer<S>> {
    let text = await this.evaluate(callScript(name, args));
    if (text === NOT_LOADED && this.options.loader) {
      this.loaded ??= this.evaluate(this.options.loader).then(() => undefined);
      await this.loaded;
      text = await this.evaluate(callScript(name, args));
    }
    if (text === NOT_LOADED) {
      throw new AfterEffectsError("not-loaded", "Tessera's After Effects script (host.jsx) is not loaded: reinstall the extension and reopen the panel.");
    }
    if (text === EVALSCRIPT_ERROR || text.startsWith("EvalScript error")) {
      throw new AfterEffectsError("evalscript", `After Effects could not run Tessera's ${name} script (${preview(text)}). Reopen the panel; if it keeps happening, reinstall the extension.`);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new AfterEffectsError("malformed", `After Effects answered ${name} with something that is not Tessera's reply: ${preview(text)}`);
    }
    const reply = ReplySchema.safeParse(json);
    if (!reply.success) {
      throw new AfterEffectsError("malformed", `After Effects answered ${name} without Tessera's reply envelope: ${preview(text)}`);
    }
    if (!reply.data.ok) throw new AfterEffectsError(reply.data.error.code, reply.data.error.message);
    const value = schema.safeParse(reply.data.value);
    if (!value.success) {
      const issue = value.error.issues[0];
      const where = issue?.path.length ? ` at ${issue.path.join(".")}` : "";
      throw new AfterEffectsError("malformed", `After Effects answered ${name} with data Tessera does not understand${where}: ${issue?.message ?? "invalid"}. Reinstall the extension so the panel and host.jsx match.`);
    }
    return value.data;
  }
}
