/**
 * Which execution provider runs the graphs. A frozen table lists, per platform, the providers the prebuilt
 * onnxruntime-node 1.30 binaries can use, best first. onnxruntime-node rejects session creation for a listed CUDA or
 * WebGPU provider whose library or adapter is missing, and silently drops providers it was not built with (dml,
 * coreml elsewhere), so each candidate is checked against `listSupportedBackends()` first, then tried in order;
 * the CPU always works and is the last resort, with a notice saying why the faster device did not start.
 */
import { existsSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import { availableParallelism } from "node:os";
import { dirname, join } from "node:path";
import * as ort from "onnxruntime-node";
import { z } from "zod";

export const DEVICES = ["cpu", "cuda", "dml", "coreml", "webgpu"] as const;
export const DeviceSchema = z.enum(DEVICES);
export type Device = z.infer<typeof DeviceSchema>;
export const DevicePreferenceSchema = z.enum(["auto", ...DEVICES]);
export type DevicePreference = z.infer<typeof DevicePreferenceSchema>;

export const DEVICE_LABELS: Readonly<Record<Device, string>> = Object.freeze({
  cpu: "CPU",
  cuda: "CUDA (NVIDIA)",
  dml: "DirectML",
  coreml: "Core ML",
  webgpu: "WebGPU",
});

/** The design's table, from onnxruntime-node 1.30's platform matrix: what `auto` tries, best first. */
export const DEVICE_TABLE: Readonly<Record<string, readonly Device[]>> = Object.freeze({
  "win32/x64": Object.freeze(["dml", "webgpu", "cpu"] as const),
  "win32/arm64": Object.freeze(["dml", "webgpu", "cpu"] as const),
  "linux/x64": Object.freeze(["cuda", "webgpu", "cpu"] as const),
  "linux/arm64": Object.freeze(["cpu"] as const),
  "darwin/x64": Object.freeze(["coreml", "webgpu", "cpu"] as const),
  "darwin/arm64": Object.freeze(["coreml", "webgpu", "cpu"] as const),
});

export const platformKey = (): string => `${process.platform}/${process.arch}`;

export interface Notice {
  code: "E_DEVICE_UNAVAILABLE" | "PROMPT_TRUNCATED" | "WINDOWED" | "PREVIEW_FAILED";
  message: string;
}

export interface RuntimeOptions {
  device: DevicePreference;
  /** Intra-op threads; default: every core the OS gives this process. */
  threads?: number | undefined;
  /**
   * Let the session's threads spin between runs (default true). Only the denoiser runs back to back; every
   * session has its own thread pool, and idle pools that spin take the cores from the one that works.
   */
  spin?: boolean | undefined;
}

export function defaultThreads(): number {
  return availableParallelism();
}

/**
 * Whether Linux shows any GPU to user space: a DRM render node, NVIDIA's device nodes, or WSL's /dev/dxg. Without
 * one, WebGPU (Vulkan underneath) has no adapter, and asking onnxruntime to find that out costs about 90 ms at
 * every start.
 */
export function linuxGpuPresent(devDir = "/dev"): boolean {
  const names = (dir: string): string[] => {
    try {
      return readdirSync(dir);
    } catch {
      return [];
    }
  };
  return (
    names(join(devDir, "dri")).some((n) => n.startsWith("renderD")) ||
    names(devDir).some((n) => /^nvidia\d+$/.test(n) || n === "dxg")
  );
}

/** Devices to try for a preference, in order; each skipped one says why. */
export function candidateDevices(
  preference: DevicePreference,
  platform = platformKey(),
  supported: readonly { name: string; bundled: boolean }[] = ort.listSupportedBackends(),
  gpuPresent: () => boolean = () => !platform.startsWith("linux/") || linuxGpuPresent(),
): { devices: Device[]; skipped: Notice[] } {
  const wanted: Device[] = preference === "auto" ? [...(DEVICE_TABLE[platform] ?? ["cpu"])] : [preference, "cpu"];
  const devices: Device[] = [];
  const skipped: Notice[] = [];
  for (const device of new Set(wanted)) {
    if (device === "cpu") {
      devices.push(device);
      continue;
    }
    const backend = supported.find((b) => b.name === device);
    if (!backend) {
      skipped.push(unavailable(device, `onnxruntime-node has no ${DEVICE_LABELS[device]} provider on ${platform}`));
    } else if (device === "cuda" && !cudaInstalled()) {
      skipped.push(unavailable(device, "its libraries are not installed (run `npm run install:cuda`)"));
    } else if (device === "webgpu" && !gpuPresent()) {
      skipped.push(unavailable(device, "no GPU device was found (/dev/dri/renderD*, /dev/nvidia*, /dev/dxg)"));
    } else {
      devices.push(device);
    }
  }
  return { devices, skipped };
}

function unavailable(device: Device, why: string): Notice {
  return { code: "E_DEVICE_UNAVAILABLE", message: `${DEVICE_LABELS[device]} is not available: ${why}.` };
}

/** onnxruntime-node's own folder of native libraries for this platform. */
export function ortBinaryDir(): string {
  const require = createRequire(import.meta.url);
  const main = require.resolve("onnxruntime-node");
  return join(dirname(main), "..", "bin", "napi-v6", process.platform, process.arch);
}

/** The CUDA provider is not bundled (the project's .npmrc skips its download); `npm run install:cuda` adds it. */
export function cudaInstalled(binDir = ortBinaryDir()): boolean {
  return ["libonnxruntime_providers_cuda.so", "libonnxruntime_providers_shared.so"].every((f) => existsSync(join(binDir, f)));
}

function executionProvider(device: Device): ort.InferenceSession.ExecutionProviderConfig {
  switch (device) {
    case "cuda":
      return { name: "cuda", deviceId: 0 };
    case "dml":
      return { name: "dml", deviceId: 0 };
    default:
      return device;
  }
}

export function sessionOptions(device: Device, threads: number, spin = true): ort.InferenceSession.SessionOptions {
  return {
    executionProviders: [executionProvider(device)],
    graphOptimizationLevel: "all",
    executionMode: "sequential",
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    enableCpuMemArena: true,
    enableMemPattern: true,
    logSeverityLevel: 3,
    ...(spin ? {} : { extra: { session: { intra_op: { allow_spinning: "0" } } } }),
  };
}

export interface OpenedSession {
  session: ort.InferenceSession;
  device: Device;
  notices: Notice[];
}

/**
 * Opens one graph on the first device of the preference that starts. Later graphs of the same package pass the
 * device that worked as `preference`, so all graphs run on one device.
 */
export async function openSession(path: string, options: RuntimeOptions): Promise<OpenedSession> {
  const threads = options.threads ?? defaultThreads();
  const { devices, skipped } = candidateDevices(options.device);
  const notices = [...skipped];
  for (const device of devices) {
    try {
      const session = await ort.InferenceSession.create(path, sessionOptions(device, threads, options.spin));
      if (device === "cpu" && options.device !== "cpu" && notices.length > 0) {
        notices.push({ code: "E_DEVICE_UNAVAILABLE", message: "Running on the CPU instead (slower)." });
      }
      return { session, device, notices };
    } catch (error) {
      if (device === "cpu") throw error;
      notices.push(unavailable(device, firstLine(error)));
    }
  }
  throw new Error("no device could open the model"); // unreachable: cpu is always a candidate
}

/** The readable part of a native error: its first line, without onnxruntime's source location and assertion. */
export function firstLine(error: unknown): string {
  const text = (error instanceof Error ? error.message : String(error)).split("\n")[0]!.trim();
  const afterAssertion = text.split(/ was false\. /).pop()!;
  return afterAssertion.replace(/^\S+\.(cc|cpp|h):\d+ /, "").trim();
}
