/**
 * A stand-in for After Effects' ExtendScript engine as CEP reaches it: host.jsx is loaded once (as the manifest's
 * ScriptPath does) with the simulated object model as its globals, and each evalScript runs one expression in
 * that scope and hands back a string. An exception becomes CEP's "EvalScript error." (CSInterface.js), exactly what
 * a panel sees when a script throws in After Effects.
 */
import { EVALSCRIPT_ERROR, type EvalScript } from "../bridge.js";
import type { SimAfterEffects } from "./app.js";

export type SyncEvalScript = (script: string) => string;

/** Loads `jsx` (the text of host.jsx) against `ae`; throws if the file itself does not run. */
export function loadExtendScript(jsx: string, ae: SimAfterEffects): SyncEvalScript {
  const globals = ae.globals();
  const names = Object.keys(globals);
  // The script's top-level declarations live in this function's scope, and every later expression is evaluated
  // there by a direct eval: the same sharing ExtendScript gives a panel's scripts.
  const factory = new Function(...names, `${jsx}\nreturn function (script) { return eval(script); };`) as (...args: unknown[]) => (script: string) => unknown;
  const evaluate = factory(...names.map((n) => globals[n]));
  return (script) => {
    try {
      const result = evaluate(script);
      return result === undefined ? "undefined" : String(result);
    } catch {
      return EVALSCRIPT_ERROR;
    }
  };
}

/** CSInterface.evalScript's shape: the answer arrives later, in a callback. */
export function asyncEval(evaluate: SyncEvalScript): EvalScript {
  return (script) => new Promise((resolve) => setTimeout(() => resolve(evaluate(script)), 0));
}
