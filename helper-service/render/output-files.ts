/**
 * Where a job's file goes: the final name (slug_seed_jobid.ext, several takes per prompt side by side), and the
 * sweep that removes what a killed run left behind. The encoder writes under a hidden temp name in the same folder
 * (".<final name>.tessera-partial-*") so that publishing is one atomic rename.
 */
import { existsSync, readdirSync, rmSync } from "node:fs";
import { basename, dirname, extname, join } from "node:path";
import type { OutputFormat } from "../../shared/protocol.js";
import type { RenderJob } from "./generator.js";

export const FORMAT_EXTENSIONS: Readonly<Record<OutputFormat, string>> = { h264: ".mp4", prores: ".mov", png: "" };

/** "Neon city at night!" -> "neon-city-at-night" (ASCII, at most 40 characters, never empty). */
export function slugOf(prompt: string): string {
  const slug = prompt
    .normalize("NFKD")
    .replace(/\p{M}+/gu, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 40)
    .replace(/-+$/, "");
  return slug || "clip";
}

/** The published path: an exact file for CLI --out, else FOLDER/slug_seed_jobid.ext (a folder for PNG). */
export function finalPathOf(job: RenderJob): string {
  if ("file" in job.output) return job.output.file;
  const { request } = job;
  const name = `${slugOf(request.prompt)}_${request.seed}_${job.jobId.slice(0, 8)}`;
  return join(job.output.folder, name + FORMAT_EXTENSIONS[request.output.format]);
}

/**
 * Removes what unfinished runs of a job left in its folder: the encoder's temp names
 * (".<final name>.tessera-partial-*") and a sidecar written just before a publishing rename that never happened.
 * Returns the removed paths.
 */
export async function removePartials(job: RenderJob): Promise<string[]> {
  const folder = outputFolderOf(job);
  if (!existsSync(folder)) return [];
  // Loaded only here: the media layer is heavy and this runs only after a job that did not finish.
  const [{ PARTIAL_MARK }, { sidecarPath }] = await Promise.all([import("../media/encode.js"), import("../media/metadata.js")]);
  const finalPath = finalPathOf(job);
  const finalBase = basename(finalPath, extname(finalPath));
  const removed: string[] = [];
  for (const entry of readdirSync(folder)) {
    if (!entry.startsWith(`.${finalBase}${PARTIAL_MARK}`)) continue;
    const path = join(folder, entry);
    rmSync(path, { recursive: true, force: true });
    removed.push(path);
  }
  if (!existsSync(finalPath)) {
    const sidecar = sidecarPath(finalPath);
    if (existsSync(sidecar)) {
      rmSync(sidecar, { force: true });
      removed.push(sidecar);
    }
  }
  return removed;
}

/** The folder a job publishes into (where its partial files live too). */
export function outputFolderOf(job: RenderJob): string {
  return "file" in job.output ? dirname(job.output.file) : job.output.folder;
}
