/**
 * A model package on disk: model.json validated, every file checked against its sha256, and ONNX sessions opened
 * lazily on first use and reused across jobs until `dispose()`.
 */
import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import type * as ort from "onnxruntime-node";
import { TesseraError } from "../../shared/errors.js";
import { assertContract } from "./contract.js";
import { defaultThreads, openSession, type Device, type DevicePreference, type Notice } from "./devices.js";
import { sha256File } from "./hashing.js";
import { graphFile, MANIFEST_FILE, parseManifest, type GraphName, type Manifest } from "./manifest.js";
import { PromptTokenizer } from "./tokenizer.js";

export interface VerifyProgress {
  file: string;
  bytesDone: number;
  bytesTotal: number;
}

export interface LoadOptions {
  /** Check every file's sha256 (default true; a file already checked in this process at the same size and time is skipped). */
  verify?: boolean;
  onProgress?: (progress: VerifyProgress) => void;
}

/** path -> "size:mtime:sha256" of files verified in this process, so a long-lived worker hashes each file once. */
const verified = new Map<string, string>();

/** Every listed file exists, has the listed size and the listed sha256; all problems are reported together. */
export async function verifyFiles(dir: string, manifest: Manifest, options: LoadOptions = {}): Promise<void> {
  const entries = Object.entries(manifest.files);
  const bytesTotal = entries.reduce((sum, [, f]) => sum + f.bytes, 0);
  let bytesDone = 0;
  const problems: string[] = [];
  let hashProblem = false;
  for (const [name, expected] of entries) {
    const path = join(dir, name);
    const info = await stat(path).catch(() => null);
    if (!info?.isFile()) {
      problems.push(`${name} is listed in model.json (files) but missing from ${dir}`);
      continue;
    }
    if (info.size !== expected.bytes) {
      problems.push(`${name} is ${info.size} bytes, model.json says ${expected.bytes}`);
      hashProblem = true;
      continue;
    }
    const stamp = `${info.size}:${info.mtimeMs}:${expected.sha256}`;
    if (options.verify !== false && verified.get(path) !== stamp) {
      const actual = await sha256File(path, (n) => {
        bytesDone += n;
        options.onProgress?.({ file: name, bytesDone, bytesTotal });
      });
      if (actual !== expected.sha256) {
        problems.push(`${name} has sha256 ${actual}, model.json says ${expected.sha256}`);
        hashProblem = true;
        continue;
      }
      verified.set(path, stamp);
    } else {
      bytesDone += info.size;
    }
  }
  if (problems.length > 0) throw new TesseraError(hashProblem ? "E_MODEL_HASH" : "E_MODEL_INVALID", `${problems.join("; ")}.`);
}

export async function readManifest(dir: string): Promise<Manifest> {
  const where = join(dir, MANIFEST_FILE);
  const text = await readFile(where, "utf8").catch((error: NodeJS.ErrnoException) => {
    throw new TesseraError("E_MODEL_INVALID", `${where} cannot be read (${error.code ?? error.message}).`);
  });
  return parseManifest(text, where);
}

/** The session if its tensors meet the contract; otherwise it is released and the mismatches thrown. */
async function checked(m: Manifest, graph: GraphName, file: string, session: ort.InferenceSession): Promise<ort.InferenceSession> {
  try {
    assertContract(m, graph, file, session);
    return session;
  } catch (error) {
    await session.release();
    throw error;
  }
}

/** The sessions of one package on one device and thread count. */
export class ModelRuntime {
  private readonly sessions = new Map<GraphName, Promise<ort.InferenceSession>>();

  constructor(
    private readonly pkg: ModelPackage,
    readonly device: Device,
    readonly threads: number,
    readonly notices: readonly Notice[],
    first: [GraphName, ort.InferenceSession],
  ) {
    this.sessions.set(first[0], Promise.resolve(first[1]));
  }

  /** The graph's session, opened on first use. */
  session(graph: GraphName): Promise<ort.InferenceSession> {
    let session = this.sessions.get(graph);
    if (!session) {
      const file = graphFile(this.pkg.manifest, graph);
      session = openSession(this.pkg.path(file), { device: this.device, threads: this.threads, spin: graph === "denoiser" }).then((opened) =>
        checked(this.pkg.manifest, graph, file, opened.session),
      );
      this.sessions.set(graph, session);
      session.catch(() => this.sessions.delete(graph));
    }
    return session;
  }

  async release(): Promise<void> {
    const sessions = [...this.sessions.values()];
    this.sessions.clear();
    await Promise.all(sessions.map(async (s) => (await s.catch(() => null))?.release()));
  }
}

export class ModelPackage {
  private readonly runtimes = new Map<string, Promise<ModelRuntime>>();
  private tokenizerPromise: Promise<PromptTokenizer> | undefined;
  private disposed = false;

  private constructor(
    readonly dir: string,
    readonly manifest: Manifest,
  ) {}

  static async load(dir: string, options: LoadOptions = {}): Promise<ModelPackage> {
    const manifest = await readManifest(dir);
    await verifyFiles(dir, manifest, options);
    return new ModelPackage(dir, manifest);
  }

  path(file: string): string {
    return join(this.dir, file);
  }

  /**
   * Sessions for a device preference and thread count. The device is settled by opening the text encoder (the
   * smallest graph, needed by every job); the other graphs open on that device when first used.
   */
  runtime(options: { device?: DevicePreference | undefined; threads?: number | undefined } = {}): Promise<ModelRuntime> {
    if (this.disposed) throw new Error(`model package ${this.manifest.id} was disposed`);
    const device = options.device ?? "auto";
    const threads = options.threads ?? defaultThreads();
    const key = `${device}|${threads}`;
    let runtime = this.runtimes.get(key);
    if (!runtime) {
      runtime = openSession(this.path(this.manifest.text.encoder), { device, threads, spin: false }).then(async (opened) => {
        const session = await checked(this.manifest, "textEncoder", this.manifest.text.encoder, opened.session);
        return new ModelRuntime(this, opened.device, threads, opened.notices, ["textEncoder", session]);
      });
      this.runtimes.set(key, runtime);
      runtime.catch(() => this.runtimes.delete(key));
    }
    return runtime;
  }

  tokenizer(): Promise<PromptTokenizer> {
    this.tokenizerPromise ??= PromptTokenizer.load(this.path(this.manifest.text.tokenizer), this.manifest.text);
    return this.tokenizerPromise;
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    const runtimes = [...this.runtimes.values()];
    this.runtimes.clear();
    await Promise.all(runtimes.map(async (r) => (await r.catch(() => null))?.release()));
  }
}
