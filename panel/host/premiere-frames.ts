/**
 * Sequence frames as PNG files through Premiere's Exporter, for conditioning extend and fill on what the viewer sees.
 *
 * Two things about `Exporter.exportSequenceFrame` are not what its signature suggests: Premiere 25.3 and later append
 * the format's extension to the name it is given ("frame_000.png" is written as "frame_000.png.png", as Adobe's own
 * sample logs), and on Windows the file appears up to about 1.5 s after the call resolves true. So the caller names
 * the frame, then waits a bounded time for either spelling to exist and uses the one that does.
 */
import type { premierepro, Sequence } from "@adobe/premierepro";
import type { Ticks } from "./editor-host.js";
import { joinPath } from "./paths.js";

export interface FrameExportOptions {
  /** Largest width of the frames: the model works far below the sequence size. */
  width: number;
  /** Whether a file exists; the panel passes UXP's fs. */
  fileExists: (path: string) => Promise<boolean>;
  /** How long to wait for each exported file to appear, in ms. */
  waitMs: number;
  /** How often to look while waiting, in ms. */
  pollMs: number;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The names Premiere may have written for `name`: as given, and with the extension doubled (25.3+). */
export function exportedNames(name: string): string[] {
  const ext = /\.[a-z0-9]+$/i.exec(name)?.[0];
  return ext ? [name, name + ext] : [name];
}

/** The first of `paths` that exists within `waitMs`, looking every `pollMs`; null when none appears. */
export async function waitForAny(paths: string[], options: Pick<FrameExportOptions, "fileExists" | "waitMs" | "pollMs">): Promise<string | null> {
  const deadline = Date.now() + options.waitMs;
  for (;;) {
    for (const path of paths) {
      if (await options.fileExists(path).catch(() => false)) return path;
    }
    if (Date.now() >= deadline) return null;
    await sleep(options.pollMs);
  }
}

/**
 * Exports one PNG per time into `folder` and returns their paths, or null when any frame fails or never appears.
 * Every export is asked for first and the files are waited for together, so Windows' late writes overlap instead of
 * adding up frame after frame.
 */
export async function exportFrames(
  ppro: premierepro,
  sequence: Sequence,
  times: Ticks[],
  folder: string,
  options: FrameExportOptions,
): Promise<string[] | null> {
  const size = await sequence.getFrameSize();
  const width = Math.min(options.width, Math.round(size.width));
  const height = Math.max(2, Math.round((size.height * width) / size.width / 2) * 2);
  const names: string[] = [];
  for (const [i, time] of times.entries()) {
    const name = `frame_${String(i).padStart(3, "0")}.png`;
    const at = ppro.TickTime.createWithTicks(time.toString());
    const ok = await ppro.Exporter.exportSequenceFrame(sequence, at, name, folder, width, height);
    if (!ok) return null;
    names.push(name);
  }
  const written = await Promise.all(names.map((name) => waitForAny(exportedNames(name).map((n) => joinPath(folder, n)), options)));
  return written.every((path): path is string => path !== null) ? written : null;
}
