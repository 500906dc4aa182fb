/**
 * Entry of the inference child process. It owns the generator (ONNX sessions, ffmpeg) and runs one job at a
 * time on the helper's orders. A running session.run cannot be interrupted from JavaScript, so the helper ends
 * a hung or unwanted run by killing this process; a cancel between steps is answered here, through the signal.
 * When the helper goes away (even by kill -9) the IPC channel closes: the running job is aborted, its partial
 * files are removed by the generator, and the process exits.
 */
import { pathToFileURL } from "node:url";
import { toErrorBody } from "../../shared/errors.js";
import { describeIssues } from "../../shared/parse.js";
import { entryUrl } from "../runtime-entry.js";
import { ChildArgsSchema, ToChildSchema, type FromChild } from "./ipc.js";
import type { Generator, GeneratorConfig, GeneratorFactory, RenderJob } from "./generator.js";

function send(message: FromChild): void {
  if (process.connected) process.send?.(message);
}

async function loadFactory(module: string | undefined): Promise<GeneratorFactory> {
  const url = module ? pathToFileURL(module).href : entryUrl(import.meta.url, "pipeline-generator", "./pipeline-generator.ts").href;
  const mod = (await import(url)) as { default?: unknown; createGenerator?: unknown };
  const factory = mod.createGenerator ?? mod.default;
  if (typeof factory !== "function") throw new Error(`${url} exports no generator factory`);
  return factory as GeneratorFactory;
}

let current: { jobId: string; controller: AbortController; done: Promise<void> } | undefined;

async function run(generator: Generator, job: RenderJob): Promise<void> {
  const controller = new AbortController();
  const hooks = {
    signal: controller.signal,
    onProgress: (progress: Parameters<Parameters<Generator["render"]>[1]["onProgress"]>[0]) =>
      send({ type: "progress", jobId: job.jobId, progress }),
    onPreview: (p: { frameIndex: number; width: number; height: number; jpeg: Uint8Array }) =>
      send({ type: "preview", jobId: job.jobId, ...p }),
    onNotice: (level: "info" | "warning", message: string) => send({ type: "notice", jobId: job.jobId, level, message }),
  };
  const done = (async () => {
    try {
      const output = await generator.render(job, hooks);
      send({ type: "done", jobId: job.jobId, output });
    } catch (error) {
      if (controller.signal.aborted) send({ type: "cancelled", jobId: job.jobId });
      else send({ type: "failed", jobId: job.jobId, error: toErrorBody(error) });
    }
  })();
  current = { jobId: job.jobId, controller, done };
  await done;
  current = undefined;
}

/** A standby child's configuration: the first message from the helper. Leaves if the helper goes first. */
function configuration(): Promise<GeneratorConfig> {
  return new Promise((resolve) => {
    const leave = (): void => process.exit(0);
    process.once("disconnect", leave);
    const onMessage = (raw: unknown): void => {
      const parsed = ToChildSchema.safeParse(raw);
      if (!parsed.success || parsed.data.type !== "configure") {
        process.stderr.write("tessera child: expected a configure message first\n");
        return;
      }
      process.off("message", onMessage);
      process.off("disconnect", leave);
      resolve(parsed.data.config);
    };
    process.on("message", onMessage);
  });
}

async function main(): Promise<void> {
  const args = ChildArgsSchema.parse(JSON.parse(process.argv[2] ?? "{}"));
  let generator: Generator;
  try {
    // in standby the import (most of the start-up) runs while the helper is still starting
    const factory = loadFactory("standby" in args ? undefined : args.generatorModule);
    factory.catch(() => undefined); // reported below, once awaited
    const config = "standby" in args ? await configuration() : args.config;
    generator = await (await factory)(config);
    send({ type: "ready", info: await generator.info(), pid: process.pid });
  } catch (error) {
    send({ type: "fatal", error: toErrorBody(error) });
    process.exitCode = 1;
    process.disconnect?.();
    return;
  }

  process.on("message", (raw: unknown) => {
    const parsed = ToChildSchema.safeParse(raw);
    if (!parsed.success) {
      process.stderr.write(`tessera child: bad message from helper: ${describeIssues(parsed.error)}\n`);
      return;
    }
    const message = parsed.data;
    if (message.type === "configure") return; // only a standby child's first message
    if (message.type === "info") {
      generator.info().then(
        (info) => send({ type: "info", info }),
        (error: unknown) => process.stderr.write(`tessera child: ${String(error)}\n`),
      );
      return;
    }
    if (message.type === "cancel") {
      if (current?.jobId === message.jobId) current.controller.abort();
      return;
    }
    if (current) {
      send({ type: "failed", jobId: message.job.jobId, error: toErrorBody(new Error("the generator is busy")) });
      return;
    }
    void run(generator, message.job);
  });

  process.on("disconnect", () => {
    // The helper is gone (or done with this process): stop work, let the generator delete its partial files and
    // close, then leave; nobody waits for this process any more, so it bounds its own clean-up.
    const exit = (): void => {
      void (generator.close?.() ?? Promise.resolve()).finally(() => process.exit(0));
    };
    setTimeout(() => process.exit(0), 10_000).unref();
    if (current) {
      current.controller.abort();
      void current.done.finally(exit);
    } else exit();
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`tessera child: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
