/** `tessera models` lists the installed packages (the default first); `tessera models install URL|DIR` adds one. */
import { resolve } from "node:path";
import { SingleBar } from "cli-progress";
import { installPackage } from "../inference/manager.js";
import { installedPackages } from "../render/pipeline-generator.js";
import { dataPaths } from "../server/data-dir.js";
import { dataDirOf, NO_MODEL_MESSAGE, referenceModelDirs } from "./common.js";

export async function modelsCommand(options: { dataDir?: string }): Promise<void> {
  const dataDir = await dataDirOf(options.dataDir);
  const { packages, problems } = await installedPackages({ dataDir, modelDirs: referenceModelDirs() });
  if (packages.length === 0) process.stdout.write(`${NO_MODEL_MESSAGE}\n`);
  packages.forEach((p, i) => {
    const m = p.manifest;
    const sizes = m.video.sizes.map(([w, h]) => `${w}x${h}`).join(" ");
    process.stdout.write(`${p.id} ${p.version}${i === 0 ? " (default)" : ""}  ${m.video.fps} fps, ${sizes}, up to ${m.video.frames.max} frames a window  ${p.dir}\n`);
  });
  for (const problem of problems) process.stderr.write(`tessera: not usable: ${problem}\n`);
  const { engineModels } = await import("../engines/comfyui/models.js");
  const engines = engineModels(dataDir);
  for (const { info } of engines.models) {
    const c = info.capabilities;
    const can = [c.textToVideo && "text to video", c.extendTail && "tail extend", c.extendHead && "head extend", c.fill && "gap fill"].filter(Boolean).join(", ");
    const sizes = info.sizes.map(([w, h]) => `${w}x${h}`).join(" ");
    process.stdout.write(`${info.id} ${info.version}  ${info.name}: ${can}; ${info.fps} fps, ${sizes}, up to ${info.maxFrames} frames\n`);
  }
  for (const problem of engines.problems) process.stderr.write(`tessera: not usable: ${problem}\n`);
}

export async function installCommand(source: string, options: { dataDir?: string }): Promise<void> {
  const dataDir = await dataDirOf(options.dataDir);
  const from = /^[a-z][a-z0-9+.-]*:\/\//i.test(source) ? source : resolve(source);
  const bar = new SingleBar({ stream: process.stderr, format: "{phase} {file} |{bar}| {percentage}%", barsize: 30 });
  let started = false;
  try {
    const pkg = await installPackage(from, {
      userDir: dataPaths(dataDir).models,
      onProgress: (p) => {
        const payload = { phase: p.phase.padEnd(8), file: p.file };
        if (!started) {
          bar.start(Math.max(1, p.bytesTotal), p.bytesDone, payload);
          started = true;
        } else bar.update(p.bytesDone, payload);
      },
    });
    if (started) bar.stop();
    process.stdout.write(`installed ${pkg.id} ${pkg.version} in ${pkg.dir}\n`);
  } finally {
    if (started) bar.stop();
  }
}
