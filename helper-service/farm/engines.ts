/**
 * Which engines a farm worker runs, from `--engine`: `onnx` (the model packages), `comfyui` (every ComfyUI
 * engine in its DATA_DIR/engines.json) or `comfyui:NAME` (one of them), comma-separated. Without `--engine` a
 * worker runs everything its data dir has. The worker advertises only the models of the engines it runs, so the
 * farm routes each job by model to a worker that can run it.
 */
import { TesseraError } from "../../shared/errors.js";
import type { ModelInfo } from "../../shared/protocol.js";

export interface EngineSelection {
  onnx: boolean;
  /** Names of the ComfyUI engines (DATA_DIR/engines.json) whose models this worker runs. */
  comfyui: string[];
}

export function selectEngines(spec: string | undefined, configured: readonly string[]): EngineSelection {
  if (spec === undefined) return { onnx: true, comfyui: [...configured] };
  const selection: EngineSelection = { onnx: false, comfyui: [] };
  const add = (name: string): void => void (selection.comfyui.includes(name) || selection.comfyui.push(name));
  for (const part of spec.split(",").map((p) => p.trim())) {
    if (part === "onnx") selection.onnx = true;
    else if (part === "comfyui") {
      if (configured.length === 0) throw noEngine("This worker's data folder has no ComfyUI engine.");
      configured.forEach(add);
    } else if (part.startsWith("comfyui:")) {
      const name = part.slice("comfyui:".length);
      if (!configured.includes(name)) {
        const have = configured.length ? `it has ${configured.join(", ")}` : "it has none";
        throw noEngine(`This worker's data folder has no ComfyUI engine named "${name}" (${have}).`);
      }
      add(name);
    } else {
      throw new TesseraError("E_BAD_REQUEST", `Unknown engine ${JSON.stringify(part)} in --engine.`, {
        hint: "Name onnx, comfyui (every ComfyUI engine added here) or comfyui:NAME, comma-separated; or leave --engine out to run them all.",
      });
    }
  }
  return selection;
}

function noEngine(message: string): TesseraError {
  return new TesseraError("E_BAD_REQUEST", message, {
    hint: "Add it on this machine first: `tessera engines add comfyui http://HOST:8188 --name NAME` (with the same --data-dir as the worker).",
  });
}

/** "onnx, comfyui:studio-gpu": what `farm status` shows as the worker's engines. */
export function describeSelection(selection: EngineSelection): string {
  return [...(selection.onnx ? ["onnx"] : []), ...selection.comfyui.map((n) => `comfyui:${n}`)].join(", ");
}

/** The models of the selected engines: packages have no engine, engine models name theirs. */
export function offeredModels(models: readonly ModelInfo[], selection: EngineSelection): ModelInfo[] {
  return models.filter((m) => (m.engine === undefined ? selection.onnx : selection.comfyui.includes(m.engine)));
}
