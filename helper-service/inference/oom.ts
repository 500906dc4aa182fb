/**
 * Out-of-memory is the failure an editor can fix, so it is recognised from the error text of every execution
 * provider and answered with a concrete smaller setting of the same model.
 */
import { TesseraError } from "../../shared/errors.js";
import type { Manifest } from "./manifest.js";
import { grammarFloor } from "./windows.js";

const OUT_OF_MEMORY = [
  /out of memory/i, // CUDA "CUDA failure 2: out of memory", CoreML/Metal "... out of memory"
  /\bOOM\b/,
  /bad_alloc/i, // CPU allocations in the C++ runtime
  /failed to allocate/i, // onnxruntime arenas: "Failed to allocate memory for requested buffer of size N"
  /cannot allocate memory|\bENOMEM\b/i,
  /CUDA_ERROR_OUT_OF_MEMORY|cudaErrorMemoryAllocation|CUBLAS_STATUS_ALLOC_FAILED|CUDNN_STATUS_ALLOC_FAILED/,
  /E_OUTOFMEMORY|0x8007000E|DXGI_ERROR_DEVICE_REMOVED|887A0005/i, // DirectML / D3D12
  /insufficient memory|not enough memory|memory allocation failed/i,
];

export function isOutOfMemory(error: unknown): boolean {
  const text = error instanceof Error ? `${error.message} ${String((error as { cause?: unknown }).cause ?? "")}` : String(error);
  return OUT_OF_MEMORY.some((pattern) => pattern.test(text));
}

export interface MemoryContext {
  manifest: Manifest;
  size: readonly [number, number];
  windowFrames: number;
}

/** The next smaller size (closest aspect first) and a shorter window, in words a user can act on. */
export function smallerSuggestion({ manifest, size, windowFrames }: MemoryContext): string {
  const [w, h] = size;
  const aspect = w / h;
  const smaller = manifest.video.sizes
    .filter(([sw, sh]) => sw * sh < w * h)
    .sort((a, b) => Math.abs(Math.log(a[0] / a[1] / aspect)) - Math.abs(Math.log(b[0] / b[1] / aspect)) || b[0] * b[1] - a[0] * a[1]);
  const options: string[] = [];
  if (smaller[0]) options.push(`the ${smaller[0][0]}x${smaller[0][1]} size instead of ${w}x${h}`);
  const shorter = grammarFloor(Math.ceil(windowFrames / 2), manifest.latent.temporal);
  if (shorter >= manifest.capabilities.conditionFrames && shorter < windowFrames) {
    options.push(`windows of ${shorter} frames instead of ${windowFrames} (windowFrames: ${shorter})`);
  }
  options.push("closing other programs that use the same device, or the CPU device");
  return `Try ${options.join(", or ")}.`;
}

/** An out-of-memory error becomes E_OUT_OF_MEMORY with a suggestion; anything else passes through unchanged. */
export function classifyRunError(error: unknown, context: MemoryContext, what: string): unknown {
  if (error instanceof TesseraError || !isOutOfMemory(error)) return error;
  const [w, h] = context.size;
  return new TesseraError(
    "E_OUT_OF_MEMORY",
    `${what} at ${w}x${h} with ${context.windowFrames}-frame windows needed more than the device has. ${smallerSuggestion(context)}`,
    { cause: error },
  );
}
