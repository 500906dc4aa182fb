/**
 * The inference part of `tessera doctor`: the runtime, the optional CUDA provider, which device actually runs the
 * model, and whether the model package is intact. Each check says what to do when it is not fine.
 */
import * as ort from "onnxruntime-node";
import { toErrorBody } from "../../shared/errors.js";
import { candidateDevices, cudaInstalled, DEVICE_LABELS, platformKey, type DevicePreference } from "./devices.js";
import { ModelPackage } from "./package.js";

export interface DoctorCheck {
  name: string;
  status: "ok" | "warn" | "fail";
  detail: string;
  fix?: string;
}

export interface DoctorOptions {
  /** A package folder to load and run on the device (the default model). */
  modelDir?: string | null;
  device?: DevicePreference;
  threads?: number;
}

export async function inferenceChecks(options: DoctorOptions = {}): Promise<DoctorCheck[]> {
  const checks: DoctorCheck[] = [];
  const backends = ort.listSupportedBackends();
  checks.push({
    name: "onnxruntime",
    status: "ok",
    detail: `onnxruntime-node ${ort.env.versions.node ?? "?"} on ${platformKey()}; providers: ${backends.map((b) => (b.bundled ? b.name : `${b.name} (not bundled)`)).join(", ")}`,
  });
  if (platformKey() === "linux/x64") {
    checks.push(
      cudaInstalled()
        ? { name: "cuda", status: "ok", detail: "CUDA provider libraries are installed (needs an NVIDIA driver with CUDA 12 and cuDNN 9)." }
        : {
            name: "cuda",
            status: "warn",
            detail: "CUDA provider is not installed (optional; the CPU or WebGPU is used instead).",
            fix: "On a machine with an NVIDIA GPU, CUDA 12 and cuDNN 9, run `npm run install:cuda`.",
          },
    );
  }
  const { devices } = candidateDevices(options.device ?? "auto");
  if (!options.modelDir) {
    checks.push({ name: "device", status: "warn", detail: `Would try: ${devices.map((d) => DEVICE_LABELS[d]).join(", ")} (no model to test with).`, fix: "Install a model with `tessera models install URL|DIR`." });
    return checks;
  }
  let pkg: ModelPackage | null = null;
  try {
    pkg = await ModelPackage.load(options.modelDir);
    checks.push({ name: "model", status: "ok", detail: `${pkg.manifest.id} ${pkg.manifest.version}: model.json valid, every file matches its sha256.` });
    const runtime = await pkg.runtime({ device: options.device ?? "auto", threads: options.threads });
    const fellBack = runtime.notices.length > 0;
    checks.push({
      name: "device",
      status: fellBack ? "warn" : "ok",
      detail: `The model runs on ${DEVICE_LABELS[runtime.device]} with ${runtime.threads} threads.${fellBack ? ` ${runtime.notices.map((n) => n.message).join(" ")}` : ""}`,
      ...(fellBack ? { fix: "See the reasons above; on NVIDIA run `npm run install:cuda`, elsewhere update the GPU driver." } : {}),
    });
  } catch (error) {
    const body = toErrorBody(error);
    checks.push({ name: "model", status: "fail", detail: body.message, fix: body.hint });
  } finally {
    await pkg?.dispose();
  }
  return checks;
}
