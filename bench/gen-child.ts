/**
 * One generation in its own process, for the memory benchmark: `node bin/run-ts.js bench/gen-child.ts DIR SECONDS
 * STEPS THREADS`. Frames are received and dropped (the pipeline streams them; nothing should pile up).
 */
import { ModelPackage } from "../helper-service/inference/package.js";
import { generate } from "../helper-service/inference/pipeline.js";

const [dir, seconds, steps, threads] = process.argv.slice(2);
const pkg = await ModelPackage.load(dir!);
const m = pkg.manifest;
let frames = 0;
const summary = await generate(
  pkg,
  { prompt: "a red circle moving left", seed: 1, frames: Math.round(Number(seconds) * m.video.fps), size: m.video.sizes[0]!, steps: Number(steps), device: "cpu", threads: Number(threads) },
  { onFrame: () => void frames++ },
);
await pkg.dispose();
process.stdout.write(`${JSON.stringify({ frames, windows: summary.windows, totalMs: summary.timings.totalMs })}\n`);
