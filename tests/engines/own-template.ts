// A user's own ComfyUI model with only a text-to-video template (a copy of ltxv-t2v under another model id): it
// cannot be conditioned on frames, so it cannot chain windows and has a longest clip.
import { cpSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BUILTIN_TEMPLATES_DIR, USER_TEMPLATES_FOLDER } from "../../helper-service/engines/comfyui/templates.js";

export const TEXT_ONLY_MODEL = { id: "ltx-t2v-only", name: "LTX t2v only" };

export function addTextOnlyModel(dataDir: string): void {
  const own = join(dataDir, USER_TEMPLATES_FOLDER, "ltxv-only-t2v");
  mkdirSync(own, { recursive: true });
  cpSync(join(BUILTIN_TEMPLATES_DIR, "ltxv-t2v", "workflow.json"), join(own, "workflow.json"));
  const manifest = JSON.parse(readFileSync(join(BUILTIN_TEMPLATES_DIR, "ltxv-t2v", "manifest.json"), "utf8")) as { model: object };
  writeFileSync(join(own, "manifest.json"), JSON.stringify({ ...manifest, id: "ltxv-only-t2v", model: { ...manifest.model, ...TEXT_ONLY_MODEL } }));
}
