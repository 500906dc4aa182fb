// Finds ffmpeg and ffprobe. Order: an explicit setting, then TESSERA_FFMPEG / TESSERA_FFPROBE, then the binaries
// shipped in @ffmpeg-installer/@ffprobe-installer (they install offline on every platform), then the system PATH.
// A setting or variable that names a missing file is an error, not a reason to fall through silently: the user
// asked for that binary.
import { accessSync, constants, statSync } from "node:fs";
import { createRequire } from "node:module";
import { delimiter, isAbsolute, join } from "node:path";
import { TesseraError } from "../../shared/errors.js";

export type ToolName = "ffmpeg" | "ffprobe";
export type ToolSource = "setting" | "env" | "npm" | "system";

export interface ToolLocation {
  tool: ToolName;
  path: string;
  source: ToolSource;
}

export interface MediaTools {
  ffmpeg: ToolLocation;
  ffprobe: ToolLocation;
}

export interface LocateOptions {
  /** Explicit paths from the helper's settings; they win over everything else. */
  ffmpegPath?: string;
  ffprobePath?: string;
  /** Environment to read TESSERA_FFMPEG / TESSERA_FFPROBE and PATH from (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Leave out the npm-shipped binaries (doctor uses this to report the system ones too). */
  skipNpm?: boolean;
}

const ENV_NAMES: Record<ToolName, string> = { ffmpeg: "TESSERA_FFMPEG", ffprobe: "TESSERA_FFPROBE" };
const NPM_PACKAGES: Record<ToolName, string> = {
  ffmpeg: "@ffmpeg-installer/ffmpeg",
  ffprobe: "@ffprobe-installer/ffprobe",
};

function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, process.platform === "win32" ? constants.F_OK : constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function fromNpm(tool: ToolName): string | undefined {
  try {
    const require = createRequire(import.meta.url);
    const found = require(NPM_PACKAGES[tool]) as { path?: unknown };
    return typeof found.path === "string" && isExecutableFile(found.path) ? found.path : undefined;
  } catch {
    return undefined; // package absent or no binary for this platform
  }
}

function fromPath(tool: ToolName, env: NodeJS.ProcessEnv): string | undefined {
  const names = process.platform === "win32" ? [`${tool}.exe`, tool] : [tool];
  for (const dir of (env.PATH ?? env.Path ?? "").split(delimiter)) {
    if (!dir || !isAbsolute(dir)) continue; // a relative PATH entry would run whatever sits in the cwd
    for (const name of names) {
      const candidate = join(dir, name);
      if (isExecutableFile(candidate)) return candidate;
    }
  }
  return undefined;
}

function explicit(tool: ToolName, path: string, source: "setting" | "env"): ToolLocation {
  if (!isAbsolute(path) || !isExecutableFile(path)) {
    const where = source === "env" ? `${ENV_NAMES[tool]}=${path}` : `the ${tool} setting (${path})`;
    throw new TesseraError("E_FFMPEG_MISSING", `${where} is not an executable file.`, {
      hint: `Point it at the full path of an existing ${tool} binary, or remove it to use the bundled one.`,
    });
  }
  return { tool, path, source };
}

/** Where `tool` comes from under these options; throws E_FFMPEG_MISSING naming everything it tried. */
export function locateTool(tool: ToolName, options: LocateOptions = {}): ToolLocation {
  const env = options.env ?? process.env;
  const setting = tool === "ffmpeg" ? options.ffmpegPath : options.ffprobePath;
  if (setting) return explicit(tool, setting, "setting");
  const fromEnv = env[ENV_NAMES[tool]];
  if (fromEnv) return explicit(tool, fromEnv, "env");
  const npm = options.skipNpm ? undefined : fromNpm(tool);
  if (npm) return { tool, path: npm, source: "npm" };
  const system = fromPath(tool, env);
  if (system) return { tool, path: system, source: "system" };
  throw new TesseraError(
    "E_FFMPEG_MISSING",
    `Tried ${ENV_NAMES[tool]}, the ${NPM_PACKAGES[tool]} package and ${tool} on the PATH.`,
  );
}

let cached: { key: string; tools: MediaTools } | undefined;

/** Both tools; the default lookup is cached (it only changes when the settings or variables change). */
export function locateMediaTools(options: LocateOptions = {}): MediaTools {
  const env = options.env ?? process.env;
  const key = JSON.stringify([
    options.ffmpegPath,
    options.ffprobePath,
    options.skipNpm,
    env.TESSERA_FFMPEG,
    env.TESSERA_FFPROBE,
    env.PATH,
  ]);
  if (cached?.key === key) return cached.tools;
  const tools = { ffmpeg: locateTool("ffmpeg", options), ffprobe: locateTool("ffprobe", options) };
  cached = { key, tools };
  return tools;
}
