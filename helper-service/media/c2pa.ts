// Optional C2PA signing through @contentauth/c2pa-node. It is NOT a dependency: on Node 20 only 0.5.5 installs
// (with SKIP_BINARY_DOWNLOAD=1 SKIP_RUST_BUILD=1), and the two-command install must never depend on it. It is
// loaded dynamically, used only when a signing certificate is configured, and reported as "not installed"
// otherwise. Signing is the last write before the rename: anything written after it would break its hash.
import { readFile, rename, unlink } from "node:fs/promises";
import nodePath from "node:path";
import { TesseraError } from "../../shared/errors.js";
import type { GenerationRecord } from "../../shared/protocol.js";
import { DIGITAL_SOURCE_TYPE } from "./metadata.js";

export const C2PA_PACKAGE = "@contentauth/c2pa-node";

export interface C2paConfig {
  /** PEM certificate chain of the signing certificate. */
  certificatePath: string;
  /** PEM private key of that certificate. */
  privateKeyPath: string;
  algorithm?: "es256" | "es384" | "es512" | "ps256" | "ps384" | "ps512" | "ed25519";
  /** RFC 3161 time-stamp authority (optional; signing works offline without it). */
  tsaUrl?: string;
}

export type C2paOutcome =
  | { state: "not-configured" }
  | { state: "not-installed"; detail: string }
  | { state: "signed"; algorithm: string };

// The slice of the package's API this file uses; checked at runtime because the package is optional.
interface C2paModule {
  Builder: { withJson(definition: unknown): { sign(signer: unknown, source: { path: string }, dest: { path: string }): unknown } };
  LocalSigner: { newSigner(cert: Buffer, key: Buffer, alg: string, tsaUrl?: string): unknown };
}

let loaded: Promise<C2paModule | Error> | undefined;

async function loadC2pa(): Promise<C2paModule | Error> {
  loaded ??= (async () => {
    try {
      const specifier = C2PA_PACKAGE; // a variable, so bundlers and the type checker leave it alone
      const mod = (await import(specifier)) as Partial<C2paModule> & { default?: Partial<C2paModule> };
      const api = mod.Builder ? mod : mod.default;
      if (typeof api?.Builder?.withJson !== "function" || typeof api.LocalSigner?.newSigner !== "function") {
        return new Error(`${C2PA_PACKAGE} is installed but does not have the Builder/LocalSigner API`);
      }
      return api as C2paModule;
    } catch (err) {
      return err instanceof Error ? err : new Error(String(err));
    }
  })();
  return loaded;
}

/** Whether C2PA signing could run here (for `tessera doctor`). */
export async function c2paAvailability(): Promise<{ installed: boolean; detail: string }> {
  const mod = await loadC2pa();
  if (mod instanceof Error) {
    return {
      installed: false,
      detail: `not installed (${mod.message.split("\n")[0]?.slice(0, 160)}); to sign outputs run: SKIP_BINARY_DOWNLOAD=1 SKIP_RUST_BUILD=1 npm install ${C2PA_PACKAGE}`,
    };
  }
  return { installed: true, detail: `${C2PA_PACKAGE} loaded` };
}

const MIME: Record<string, string> = { ".mp4": "video/mp4", ".mov": "video/quicktime", ".png": "image/png" };

/** The manifest: Tessera created this with a trained model (IPTC trainedAlgorithmicMedia). */
export function c2paManifest(record: GenerationRecord, file: string): Record<string, unknown> {
  const software = { name: record.tool.name, version: record.tool.version };
  return {
    claim_generator_info: [software],
    title: nodePath.basename(file),
    format: MIME[nodePath.extname(file).toLowerCase()] ?? "application/octet-stream",
    assertions: [
      {
        label: "c2pa.actions",
        data: {
          actions: [
            {
              action: "c2pa.created",
              digitalSourceType: DIGITAL_SOURCE_TYPE,
              softwareAgent: software,
              parameters: { model: `${record.model.id}@${record.model.version}`, seed: record.seed },
            },
          ],
        },
      },
    ],
  };
}

/**
 * Signs `file` in place when configured and available. Never throws for a missing package (the outcome says so);
 * throws E_ENCODE when a configured signature fails, because then the output would claim less than promised.
 */
export async function signC2pa(file: string, record: GenerationRecord, config: C2paConfig | undefined): Promise<C2paOutcome> {
  if (!config) return { state: "not-configured" };
  const mod = await loadC2pa();
  if (mod instanceof Error) return { state: "not-installed", detail: (await c2paAvailability()).detail };
  const algorithm = config.algorithm ?? "es256";
  const signedTemp = `${file}.c2pa${nodePath.extname(file)}`;
  try {
    const [cert, key] = await Promise.all([readFile(config.certificatePath), readFile(config.privateKeyPath)]);
    const signer = mod.LocalSigner.newSigner(cert, key, algorithm, config.tsaUrl);
    const builder = mod.Builder.withJson(c2paManifest(record, file));
    await builder.sign(signer, { path: file }, { path: signedTemp });
    await rename(signedTemp, file);
    return { state: "signed", algorithm };
  } catch (err) {
    await unlink(signedTemp).catch(() => undefined);
    throw new TesseraError("E_ENCODE", `C2PA signing failed: ${(err as Error).message}`, {
      hint: "Check the signing certificate and key in the settings, or remove them to skip C2PA signing.",
    });
  }
}
