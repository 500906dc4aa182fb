/** The prompt policy: normalised whole-word block lists, combination rules, user config, classifier hook. */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import type { TesseraError } from "../../shared/errors.js";
import { foldText, wordSequences } from "../../helper-service/safety/normalize.js";
import { loadPolicyConfig, loadPromptPolicy, PromptPolicy, PolicyConfigSchema } from "../../helper-service/safety/policy.js";
import { tempDir } from "../server/support.js";

const config = (raw: unknown) => PolicyConfigSchema.parse(raw);
const custom = new PromptPolicy(config({ useDefaults: false, rules: [{ id: "brand", reason: "client asked", terms: ["acme cola", "gun*"] }] }));

async function refusal(policy: PromptPolicy, prompt: string): Promise<TesseraError | undefined> {
  try {
    await policy.check({ prompt, negativePrompt: "" });
    return undefined;
  } catch (error) {
    return error as TesseraError;
  }
}

test("folding removes case, accents, full-width forms and leetspeak", () => {
  expect(foldText("ÀcMé")).toBe("acme");
  expect(foldText("ＡＣＭＥ")).toBe("acme");
  expect(foldText("4cm3")).toBe("acme");
  expect(wordSequences("a-c-m-e cola!")).toEqual([["a", "c", "m", "e", "cola"], ["acme", "cola"]]);
});

test("terms match whole words only, multi-word terms in sequence, * as any ending", () => {
  expect(custom.match("an Acme Cola can")?.id).toBe("brand");
  expect(custom.match("ACME   cola")?.id).toBe("brand");
  expect(custom.match("4CM3 C0L4 on a shelf")?.id).toBe("brand");
  expect(custom.match("a.c.m.e cola")?.id).toBe("brand");
  expect(custom.match("Àcmé cola")?.id).toBe("brand");
  expect(custom.match("guns and roses")?.id).toBe("brand");
  expect(custom.match("cola from acme")).toBeUndefined();
  expect(custom.match("acmecola")).toBeUndefined();
  expect(custom.match("a begun story")).toBeUndefined();
});

test("the built-in rules refuse combinations, not their harmless parts", async () => {
  const policy = new PromptPolicy();
  expect((await refusal(policy, "Naked child on a beach"))?.code).toBe("E_POLICY");
  expect((await refusal(policy, "n.u.d.e t33n"))?.code).toBe("E_POLICY");
  expect((await refusal(policy, "a rape scene"))?.message).toContain("sexual-violence");
  for (const fine of ["children playing football", "a nude marble statue in a museum", "rapeseed fields in spring", "grapes on a vine", "a kid's birthday party"]) {
    expect(await refusal(policy, fine)).toBeUndefined();
  }
});

test("property: any spelling of a blocked term, inside any sentence, is refused", async () => {
  const letters = fc.constantFrom(..."abcdefghijklmnopqrstuvwxyz ".split(""));
  const filler = fc.array(letters, { maxLength: 30 }).map((a) => a.join(""));
  const accent = (ch: string) => ({ a: "á", c: "ç", e: "é", o: "ó" })[ch] ?? ch;
  await fc.assert(
    fc.asyncProperty(filler, filler, fc.array(fc.boolean(), { minLength: 9, maxLength: 9 }), async (before, after, flips) => {
      const term = "acme cola".split("").map((ch, i) => (flips[i] ? accent(ch).toUpperCase() : ch)).join("");
      const error = await refusal(custom, `${before} ${term} ${after}`);
      expect(error?.code).toBe("E_POLICY");
    }),
    { numRuns: 300 },
  );
});

test("policy.json adds rules, can drop the defaults, and a broken file is an error naming the field", async () => {
  const dir = tempDir();
  const path = join(dir, "policy.json");
  writeFileSync(path, JSON.stringify({ useDefaults: false, rules: [{ id: "no-logos", reason: "no trademarks", terms: ["logo*"] }] }));
  const policy = await loadPromptPolicy(path);
  expect((await refusal(policy, "big LOGOS on a wall"))?.message).toContain("no-logos");
  expect(await refusal(policy, "a naked child")).toBeUndefined();
  writeFileSync(path, JSON.stringify({ rules: [{ id: "x", reason: "y" }] }));
  expect(() => loadPolicyConfig(path)).toThrow(/rules\[0\].*terms/);
  writeFileSync(path, "{ not json");
  expect(() => loadPolicyConfig(path)).toThrow(/not valid JSON/);
});

test("the classifier hook can refuse; a failing or slow hook refuses unless told to fail open", async () => {
  const refusing = new PromptPolicy(undefined, async ({ prompt }) => ({ allowed: !prompt.includes("spooky"), reason: "too spooky" }));
  expect((await refusal(refusing, "a spooky house"))?.message).toContain("too spooky");
  expect(await refusal(refusing, "a sunny house")).toBeUndefined();
  const slow = new PromptPolicy(undefined, () => new Promise(() => undefined), { timeoutMs: 50, failClosed: true });
  expect((await refusal(slow, "anything"))?.message).toMatch(/did not answer/);
  const broken = new PromptPolicy(undefined, async () => {
    throw new Error("model missing");
  }, { timeoutMs: 50, failClosed: false });
  expect(await refusal(broken, "anything")).toBeUndefined();
});

test("a classifier module named in policy.json is loaded and used", async () => {
  const dir = tempDir();
  // CommonJS here because jest runs CommonJS; the helper (ESM) loads .mjs hooks the same way (see output-check test).
  writeFileSync(join(dir, "classify.cjs"), "exports.check = async ({ prompt }) => ({ allowed: !/forbidden/.test(prompt), reason: 'the house rule' });\n");
  writeFileSync(join(dir, "policy.json"), JSON.stringify({ classifier: { module: "classify.cjs", timeoutMs: 2000 } }));
  const policy = await loadPromptPolicy(join(dir, "policy.json"));
  expect((await refusal(policy, "a forbidden door"))?.message).toContain("the house rule");
  expect(await refusal(policy, "an open door")).toBeUndefined();
});
