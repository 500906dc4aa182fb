/**
 * Where a job's file goes and how it gets there: the final name (slug_seed_jobid.ext, several takes per prompt
 * side by side), the temporary name it is written under in the same folder (so the publishing rename is atomic),
 * and the sweep that removes what a killed run left behind.
 */
import { existsSync, readdirSync, rmSync } from "node:fs";
import { basename, dirname, extname, join } from "node:path";
import type { OutputFormat } from "../../shared/protocol.js";
import type { RenderJob } from "./generator.js";

export const PARTIAL_PREFIX = ".tessera-partial-";

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

/** The name it is written under until complete: hidden, in the same folder, tagged with job and attempt. */
export function partialPathOf(finalPath: string, jobId: string, attempt: number): string {
  const ext = extname(finalPath);
  return join(dirname(finalPath), `${PARTIAL_PREFIX}${jobId}-a${attempt}-${basename(finalPath, ext)}${ext}`);
}

/** Removes every partial file or folder a run of this job left in `folder`; returns what it removed. */
export function removePartials(folder: string, jobId: string): string[] {
  if (!existsSync(folder)) return [];
  const removed: string[] = [];
  for (const entry of readdirSync(folder)) {
    if (!entry.startsWith(`${PARTIAL_PREFIX}${jobId}-`)) continue;
    const path = join(folder, entry);
    rmSync(path, { recursive: true, force: true });
    removed.push(path);
  }
  return removed;
}

/** The folder a job publishes into (where its partial files live too). */
export function outputFolderOf(job: RenderJob): string {
  return "file" in job.output ? dirname(job.output.file) : job.output.folder;
}
