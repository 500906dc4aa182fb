/**
 * The prompt policy, applied before a job is queued: block lists (built-in defaults plus the user's
 * DATA_DIR/policy.json) matched on normalised whole words, then an optional asynchronous classifier hook.
 * A refusal is a TesseraError with code E_POLICY naming the rule, so the panel and the CLI can show why.
 */
import { existsSync, readFileSync } from "node:fs";
import { isAbsolute, resolve, dirname } from "node:path";
import { pathToFileURL } from "node:url";
import { z } from "zod";
import { TesseraError } from "../../shared/errors.js";
import { describeIssues } from "../../shared/parse.js";
import { compileTerm, matchesTerm, wordSequences, type TermPattern } from "./normalize.js";
import { DEFAULT_RULES } from "./default-rules.js";

export const PolicyRuleSchema = z
  .object({
    id: z.string().min(1).max(64),
    /** Shown to the user with the refusal. */
    reason: z.string().min(1).max(200),
    /** Any one of these terms (whole words, `*` = any ending) refuses the prompt. */
    terms: z.array(z.string().min(1).max(100)).default([]),
    /** Every group must have a hit: ["child*", "kid*"] AND ["nude*", "naked"]. */
    all: z.array(z.array(z.string().min(1).max(100)).min(1)).default([]),
  })
  .refine((r) => r.terms.length > 0 || r.all.length > 0, { message: "a rule needs `terms` or `all`" });
export type PolicyRule = z.infer<typeof PolicyRuleSchema>;

const HookSchema = z.object({
  /** An ES module (path relative to policy.json) whose default or named `check` export is the hook. */
  module: z.string().min(1),
  timeoutMs: z.number().int().min(100).max(120_000).default(10_000),
  /** Refuse when the hook throws or times out (the safe default), instead of letting the prompt through. */
  failClosed: z.boolean().default(true),
});

export const PolicyConfigSchema = z.object({
  /** Keep the built-in rules (set false to rely only on your own). */
  useDefaults: z.boolean().default(true),
  rules: z.array(PolicyRuleSchema).default([]),
  classifier: HookSchema.optional(),
  outputCheck: HookSchema.optional(),
});
export type PolicyConfig = z.infer<typeof PolicyConfigSchema>;
export type HookConfig = z.infer<typeof HookSchema>;

export interface PromptInput {
  prompt: string;
  negativePrompt: string;
}
export interface Verdict {
  allowed: boolean;
  /** Why it was refused, in words the user can act on. */
  reason?: string;
}
export type PromptClassifier = (input: PromptInput) => Promise<Verdict>;

interface CompiledRule {
  rule: PolicyRule;
  terms: TermPattern[];
  all: TermPattern[][];
}

function compile(rule: PolicyRule): CompiledRule {
  return { rule, terms: rule.terms.map(compileTerm), all: rule.all.map((group) => group.map(compileTerm)) };
}

/** Reads DATA_DIR/policy.json; absent means the defaults. A broken file is an error, never silently ignored. */
export function loadPolicyConfig(path: string): PolicyConfig {
  if (!existsSync(path)) return PolicyConfigSchema.parse({});
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new TesseraError("E_BAD_REQUEST", `${path} is not valid JSON (${(error as Error).message}).`, {
      hint: "Fix the policy file or remove it to use the built-in policy.",
    });
  }
  const parsed = PolicyConfigSchema.safeParse(raw);
  if (!parsed.success) {
    throw new TesseraError("E_BAD_REQUEST", `${path}: ${describeIssues(parsed.error)}`, {
      hint: "Fix the policy file or remove it to use the built-in policy.",
    });
  }
  return parsed.data;
}

/** Loads a hook module named in policy.json; its `check` (or default) export must be a function. */
export async function loadHook<F>(hook: HookConfig, policyPath: string): Promise<F> {
  const file = isAbsolute(hook.module) ? hook.module : resolve(dirname(policyPath), hook.module);
  const mod = (await import(pathToFileURL(file).href)) as { check?: unknown; default?: unknown };
  const fn = mod.check ?? mod.default;
  if (typeof fn !== "function") {
    throw new TesseraError("E_BAD_REQUEST", `${file} exports no \`check\` function.`, {
      hint: "Export `check` (or a default function) from the hook module named in policy.json.",
    });
  }
  return fn as F;
}

/** Runs a hook with a time limit; a hook that fails counts as a refusal when failClosed. */
export async function runHook(
  call: () => Promise<Verdict>,
  options: { timeoutMs: number; failClosed: boolean; what: string },
): Promise<Verdict> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${options.what} did not answer in ${options.timeoutMs} ms`)), options.timeoutMs);
    });
    const verdict = await Promise.race([call(), timeout]);
    if (typeof verdict?.allowed !== "boolean") throw new Error(`${options.what} returned no { allowed } verdict`);
    return verdict;
  } catch (error) {
    if (!options.failClosed) return { allowed: true };
    return { allowed: false, reason: `${(error as Error).message}; refusing to be safe` };
  } finally {
    clearTimeout(timer);
  }
}

export class PromptPolicy {
  private readonly rules: CompiledRule[];

  constructor(
    config: PolicyConfig = PolicyConfigSchema.parse({}),
    private readonly classifier?: PromptClassifier,
    private readonly hookOptions: { timeoutMs: number; failClosed: boolean } = { timeoutMs: 10_000, failClosed: true },
  ) {
    const rules = [...(config.useDefaults ? DEFAULT_RULES : []), ...config.rules];
    this.rules = rules.map((r) => compile(PolicyRuleSchema.parse(r)));
  }

  /** The first block-list rule the prompt meets, if any. */
  match(prompt: string): PolicyRule | undefined {
    const words = wordSequences(prompt);
    for (const { rule, terms, all } of this.rules) {
      if (terms.some((t) => matchesTerm(words, t))) return rule;
      if (all.length > 0 && all.every((group) => group.some((t) => matchesTerm(words, t)))) return rule;
    }
    return undefined;
  }

  /** Resolves when the prompt may be generated; throws E_POLICY naming the rule otherwise. */
  async check(input: PromptInput): Promise<void> {
    const rule = this.match(input.prompt);
    if (rule) throw new TesseraError("E_POLICY", `It met the rule "${rule.id}": ${rule.reason}.`);
    if (!this.classifier) return;
    const classifier = this.classifier;
    const verdict = await runHook(() => classifier(input), { ...this.hookOptions, what: "the prompt classifier" });
    if (!verdict.allowed) {
      throw new TesseraError("E_POLICY", `The prompt classifier refused it: ${verdict.reason ?? "no reason given"}.`);
    }
  }
}

/** The policy for a data dir: DATA_DIR/policy.json (if any) plus its classifier hook (if configured). */
export async function loadPromptPolicy(policyPath: string, classifier?: PromptClassifier): Promise<PromptPolicy> {
  const config = loadPolicyConfig(policyPath);
  let hook = classifier;
  if (!hook && config.classifier) hook = await loadHook<PromptClassifier>(config.classifier, policyPath);
  const options = config.classifier ?? { timeoutMs: 10_000, failClosed: true };
  return new PromptPolicy(config, hook, { timeoutMs: options.timeoutMs, failClosed: options.failClosed });
}
