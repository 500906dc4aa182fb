/**
 * The little of CEP the panel needs, straight from `window.__adobe_cep__` (what Adobe's CSInterface.js wraps:
 * evalScript and getSystemPath; CEP-Resources CEP_12.x/CSInterface.js), so no copy of that file ships.
 */
import type { EvalScript } from "../host/aftereffects/bridge.js";
import { scriptLiteral } from "../host/aftereffects/bridge.js";

export interface AdobeCep {
  evalScript(script: string, callback: (result: string) => void): void;
  getSystemPath(kind: string): string;
}

declare global {
  interface Window {
    __adobe_cep__?: AdobeCep;
  }
}

/** The CEP runtime, or null outside a CEP panel (a plain browser). */
export function adobeCep(): AdobeCep | null {
  const cep = window.__adobe_cep__;
  return cep && typeof cep.evalScript === "function" && typeof cep.getSystemPath === "function" ? cep : null;
}

export function cepEval(cep: AdobeCep): EvalScript {
  return (script) => new Promise((resolve) => cep.evalScript(script, (result) => resolve(String(result))));
}

/** getSystemPath answers a file URL; as CSInterface.js does, it becomes a native path ("C:/…" or "/Users/…"). */
export function nativePath(url: string): string {
  const decoded = decodeURI(url);
  if (/^file:\/\/\/[A-Za-z]:/.test(decoded)) return decoded.slice("file:///".length);
  return decoded.replace(/^file:\/\//, "");
}

/** The extension's folder on disk. */
export function extensionFolder(cep: AdobeCep): string {
  return nativePath(cep.getSystemPath("extension"));
}

/** An ExtendScript expression that (re)loads host.jsx from the installed extension. */
export function hostScriptLoader(folder: string): string {
  return `$.evalFile(${scriptLiteral(`${folder.replace(/[\\/]$/, "")}/host/host.jsx`)})`;
}
