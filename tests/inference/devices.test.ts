/** @jest-environment ./tests/inference/ort-environment.js */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { candidateDevices, DEVICE_TABLE, firstLine, linuxGpuPresent } from "../../helper-service/inference/devices.js";
import { inferenceChecks } from "../../helper-service/inference/doctor.js";
import { ModelPackage } from "../../helper-service/inference/package.js";
import { tempDir, TINY } from "./helpers.js";

describe("devices", () => {
  test("the provider table is frozen and ends with the CPU everywhere", () => {
    expect(Object.isFrozen(DEVICE_TABLE)).toBe(true);
    for (const devices of Object.values(DEVICE_TABLE)) {
      expect(Object.isFrozen(devices)).toBe(true);
      expect(devices[devices.length - 1]).toBe("cpu");
    }
    expect(DEVICE_TABLE["win32/x64"]![0]).toBe("dml");
    expect(DEVICE_TABLE["darwin/arm64"]![0]).toBe("coreml");
  });

  test("providers onnxruntime-node was not built with are skipped with a reason", () => {
    const supported = [
      { name: "cpu", bundled: true },
      { name: "webgpu", bundled: true },
    ];
    const { devices, skipped } = candidateDevices("auto", "win32/x64", supported);
    expect(devices).toEqual(["webgpu", "cpu"]);
    expect(skipped[0]!.message).toMatch(/DirectML is not available: onnxruntime-node has no DirectML provider on win32\/x64/);
    expect(candidateDevices("coreml", "linux/x64", supported).devices).toEqual(["cpu"]);
    expect(candidateDevices("cpu", "linux/x64", supported)).toEqual({ devices: ["cpu"], skipped: [] });
  });

  test("on Linux without a GPU device node, WebGPU is skipped with a reason instead of tried", async () => {
    const supported = [
      { name: "cpu", bundled: true },
      { name: "webgpu", bundled: true },
    ];
    const none = candidateDevices("auto", "linux/x64", supported, () => false);
    expect(none.devices).toEqual(["cpu"]);
    expect(none.skipped.map((n) => n.message)).toContainEqual(expect.stringMatching(/WebGPU is not available: no GPU device was found/));
    expect(candidateDevices("auto", "linux/x64", supported, () => true).devices).toEqual(["webgpu", "cpu"]);
    // what counts as a GPU: a DRM render node, an NVIDIA device, WSL's /dev/dxg; not a DRM card node alone
    const dev = await tempDir();
    try {
      expect(linuxGpuPresent(dev.dir)).toBe(false);
      mkdirSync(join(dev.dir, "dri"));
      writeFileSync(join(dev.dir, "dri", "card0"), "");
      expect(linuxGpuPresent(dev.dir)).toBe(false);
      writeFileSync(join(dev.dir, "dri", "renderD128"), "");
      expect(linuxGpuPresent(dev.dir)).toBe(true);
      const nvidia = await tempDir();
      writeFileSync(join(nvidia.dir, "nvidiactl"), "");
      expect(linuxGpuPresent(nvidia.dir)).toBe(false);
      writeFileSync(join(nvidia.dir, "nvidia0"), "");
      expect(linuxGpuPresent(nvidia.dir)).toBe(true);
      await nvidia.cleanup();
    } finally {
      await dev.cleanup();
    }
  });

  test("onnxruntime's assertion text is cut to its readable part", () => {
    const raw = "/onnxruntime_src/onnxruntime/core/providers/webgpu/webgpu_context.cc:136 lambda()> adapter_result.status == wgpu::RequestAdapterStatus::Success was false. Failed to get a WebGPU adapter: No supported adapters.\nmore";
    expect(firstLine(new Error(raw))).toBe("Failed to get a WebGPU adapter: No supported adapters.");
  });

  test.each(["cuda", "webgpu"] as const)("%s requested where it cannot start falls back to the CPU with a notice", async (device) => {
    const pkg = await ModelPackage.load(TINY);
    const runtime = await pkg.runtime({ device, threads: 1 });
    if (runtime.device === "cpu") {
      const label = device === "cuda" ? /CUDA/ : /WebGPU/;
      expect(runtime.notices.map((n) => n.message).join(" ")).toMatch(label);
      expect(runtime.notices.at(-1)!.message).toMatch(/Running on the CPU instead/);
      expect(runtime.notices.every((n) => n.code === "E_DEVICE_UNAVAILABLE")).toBe(true);
    } else {
      // a machine where the device works: it must then be the one that runs
      expect(runtime.device).toBe(device);
    }
    await pkg.dispose();
  });

  test("doctor reports the runtime, the CUDA opt-in and the device that runs the model", async () => {
    const checks = await inferenceChecks({ modelDir: TINY, device: "cpu", threads: 1 });
    const byName = Object.fromEntries(checks.map((c) => [c.name, c]));
    expect(byName.onnxruntime!.detail).toMatch(/onnxruntime-node 1\.\d+/);
    expect(byName.model!.status).toBe("ok");
    expect(byName.device!.detail).toMatch(/runs on CPU with 1 threads/);
    if (process.platform === "linux" && process.arch === "x64") {
      expect(byName.cuda!.status === "ok" || /npm run install:cuda/.test(byName.cuda!.fix ?? "")).toBe(true);
    }
    const broken = await inferenceChecks({ modelDir: "/nonexistent/model" });
    expect(broken.find((c) => c.name === "model")).toMatchObject({ status: "fail", fix: expect.stringMatching(/Reinstall/) });
  });
});
