// Which paths the helper may read media from or write outputs to. Media moves between panel and helper as file
// paths, so a path is hostile input: URLs, device files, named pipes, symlinks out of the allowed roots and
// network shares the user did not allow are refused before ffmpeg ever sees them. Local disks and mounted volumes
// (/Volumes/NAS, /mnt/san, Z:\) are fine: post houses keep their media there.
import { lstat, realpath, stat } from "node:fs/promises";
import nodePath from "node:path";
import { TesseraError } from "../../shared/errors.js";
import { IMAGE_EXTENSIONS, VIDEO_EXTENSIONS, type MediaKind } from "./args.js";

export type PathPlatform = "posix" | "win32";

export interface PathPolicy {
  /** When set, media must resolve (after following symlinks) inside one of these folders. */
  allowedRoots?: readonly string[];
  /** Network shares (UNC \\server\share, //server/share, SMB mounts) the user allowed. */
  networkRoots?: readonly string[];
  /** Which path grammar to apply; default: this machine's. Tests check Windows forms on any OS. */
  platform?: PathPlatform;
}

const MAX_PATH = 4096;
const SCHEME_RE = /^[a-z][a-z0-9+.-]+:/i; // two letters or more: "C:" is a drive, "http:" / "concat:" are not
const WIN_RESERVED_RE = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³]|conin\$|conout\$|clock\$)(\.[^\\/]*)?$/i;
const POSIX_DEVICE_ROOTS = ["/dev", "/proc", "/sys"];
// GVfs mounts SMB shares here on Linux desktops: a mounted path, but a network share all the same.
const GVFS_SMB_RE = /^\/run\/user\/\d+\/gvfs\/smb-share:/;

function refuse(detail: string, hint?: string): never {
  throw new TesseraError("E_PATH_REFUSED", detail, hint ? { hint } : undefined);
}

function pathApi(platform: PathPlatform): nodePath.PlatformPath {
  return platform === "win32" ? nodePath.win32 : nodePath.posix;
}

function hostPlatform(): PathPlatform {
  return process.platform === "win32" ? "win32" : "posix";
}

/** True when `child` is `root` or inside it (case-insensitive on Windows). */
export function isInside(child: string, root: string, platform: PathPlatform = hostPlatform()): boolean {
  const api = pathApi(platform);
  const fold = (p: string): string => (platform === "win32" ? p.toLowerCase() : p);
  const rel = api.relative(fold(api.resolve(root)), fold(api.resolve(child)));
  return rel === "" || (!rel.startsWith("..") && !api.isAbsolute(rel));
}

function isNetworkPath(p: string, platform: PathPlatform): boolean {
  if (platform === "win32") return /^[\\/]{2}/.test(p); // \\server\share, //server/share, \\?\UNC\...
  return p.startsWith("//") || GVFS_SMB_RE.test(p);
}

/**
 * Checks a path by its text alone and returns it normalised and absolute. Refuses: empty or over-long paths,
 * control characters, URLs and ffmpeg protocol prefixes, relative paths, device files, Windows device namespaces,
 * reserved names and alternate data streams, and network shares outside `networkRoots`.
 */
export function checkPathText(input: string, policy: PathPolicy = {}): string {
  const platform = policy.platform ?? hostPlatform();
  const api = pathApi(platform);
  if (typeof input !== "string" || input.trim() === "") refuse("The path is empty.");
  if (input.length > MAX_PATH) refuse(`The path is longer than ${MAX_PATH} characters.`);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(input)) refuse("The path contains control characters.");
  if (SCHEME_RE.test(input) || /^[a-z]+:\/\//i.test(input)) {
    refuse(`"${input.slice(0, 80)}" is a URL or stream address, not a file.`, "Download the media and import the local file.");
  }
  let p = input;
  if (platform === "win32") {
    if (/^[\\/]{2}[.?][\\/]/.test(p)) {
      // \\?\C:\long\path is the long-path spelling of a drive path; every other \\?\ or \\.\ form is a device.
      const longDrive = /^\\\\\?\\([a-z]:\\.*)$/i.exec(p);
      const longUnc = /^\\\\\?\\UNC\\(.*)$/i.exec(p);
      if (longDrive?.[1]) p = longDrive[1];
      else if (longUnc?.[1]) p = `\\\\${longUnc[1]}`;
      else refuse(`"${input}" is a Windows device path, not a file.`);
    }
    if (/^[a-z]:[^\\/]/i.test(p) || (!/^[a-z]:[\\/]/i.test(p) && !/^[\\/]{2}/.test(p))) {
      refuse(`"${input}" is not a full path.`, "Give the full path, starting with a drive letter like C:\\ or a share.");
    }
    if (p.slice(2).includes(":")) refuse(`"${input}" names an alternate data stream, not a file.`);
    if (/[<>"|?*]/.test(p.slice(2))) refuse(`"${input}" contains characters Windows does not allow in file names.`);
    const segments = p.split(/[\\/]+/).filter(Boolean);
    for (const segment of segments) {
      const trimmed = segment.replace(/[. ]+$/, "");
      if (WIN_RESERVED_RE.test(trimmed)) refuse(`"${input}" uses the reserved device name "${segment}".`);
    }
  } else if (!api.isAbsolute(p)) {
    refuse(`"${input}" is not a full path.`, "Give the full path, starting with /.");
  }
  // On POSIX, resolve() would collapse the leading // of a network path; keep it so the share check still sees it.
  const network = isNetworkPath(p, platform);
  const normal = network && platform === "posix" ? `/${api.normalize(p)}`.replace(/^\/+/, "//") : api.resolve(p);
  if (platform === "posix" && POSIX_DEVICE_ROOTS.some((root) => isInside(normal, root, "posix"))) {
    refuse(`"${input}" is a device or system file, not media.`);
  }
  if (network) {
    const allowed = (policy.networkRoots ?? []).some((root) => isInside(normal, root, platform));
    if (!allowed) {
      refuse(
        `"${input}" is on a network share that is not in the allowed roots.`,
        "Add the share to the allowed network roots in the helper settings, or mount it as a volume.",
      );
    }
  }
  return normal;
}

function extensionOf(p: string): string {
  return nodePath.extname(p).slice(1).toLowerCase();
}

/** Refuses files whose extension is not a recognised video (or image) type. */
export function checkMediaExtension(p: string, kind: MediaKind): void {
  const ext = extensionOf(p);
  const known = kind === "video" ? VIDEO_EXTENSIONS : IMAGE_EXTENSIONS;
  if (!known.has(ext)) {
    throw new TesseraError(
      "E_MEDIA_UNSUPPORTED",
      `"${nodePath.basename(p)}" is not a ${kind} file (${[...known].slice(0, 8).join(", ")}...).`,
    );
  }
}

/**
 * The real path of a media file the helper may read: the text checks, then the file system: it must exist, be a
 * regular non-empty file (not a directory, pipe, socket or device) of a recognised type, and its real path (after
 * symlinks) must pass the same checks and stay inside `allowedRoots` when those are set.
 */
export async function resolveMediaPath(input: string, kind: MediaKind, policy: PathPolicy = {}): Promise<string> {
  const checked = checkPathText(input, policy);
  let real: string;
  try {
    real = await realpath(checked);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") {
      throw new TesseraError("E_MEDIA_UNSUPPORTED", `"${input}" does not exist.`, {
        hint: "Relink the clip in Premiere or pick a file that exists.",
      });
    }
    refuse(`"${input}" cannot be read (${code ?? "error"}).`, "Check the file's permissions.");
  }
  if (real !== checked) {
    try {
      checkPathText(real, { ...policy, platform: hostPlatform() });
    } catch (err) {
      refuse(`"${input}" is a link to "${real}", which is not allowed: ${(err as Error).message}`);
    }
  }
  const roots = policy.allowedRoots;
  if (roots && roots.length > 0) {
    const realRoots = await Promise.all(roots.map((r) => realpath(r).catch(() => nodePath.resolve(r))));
    if (!realRoots.some((root) => isInside(real, root))) {
      const viaLink = roots.some((root) => isInside(checked, root));
      refuse(
        viaLink
          ? `"${input}" is a link that leaves the allowed folders (it points to "${real}").`
          : `"${input}" is outside the allowed folders.`,
        "Move the media into an allowed folder, or add its folder to the allowed roots in the helper settings.",
      );
    }
  }
  const info = await stat(real);
  if (!info.isFile()) {
    const what = info.isDirectory() ? "a folder" : info.isFIFO() ? "a named pipe" : info.isSocket() ? "a socket" : "a device";
    refuse(`"${input}" is ${what}, not a media file.`);
  }
  if (info.size === 0) throw new TesseraError("E_MEDIA_UNSUPPORTED", `"${input}" is empty.`);
  checkMediaExtension(real, kind);
  return real;
}

/**
 * Where an output may be written: a full path inside one of `roots` (the output and data folders), not a link,
 * not a network share outside `networkRoots`. Returns the normalised path; the folder must exist.
 */
export async function checkOutputPath(
  out: string,
  roots: readonly string[],
  policy: Omit<PathPolicy, "allowedRoots"> = {},
): Promise<string> {
  const checked = checkPathText(out, policy);
  const dir = nodePath.dirname(checked);
  let realDir: string;
  try {
    realDir = await realpath(dir);
  } catch {
    throw new TesseraError("E_ENCODE", `The output folder "${dir}" does not exist.`, {
      hint: "Create the folder or choose another output folder.",
    });
  }
  if (roots.length > 0) {
    const realRoots = await Promise.all(roots.map((r) => realpath(r).catch(() => nodePath.resolve(r))));
    if (!realRoots.some((root) => isInside(realDir, root))) {
      refuse(`"${out}" is outside the output folders.`, "Choose an output folder inside the project's Tessera Media folder or the data folder.");
    }
  }
  const existing = await lstat(checked).catch(() => undefined);
  if (existing?.isSymbolicLink()) refuse(`"${out}" is a link; Tessera does not write through links.`);
  return nodePath.join(realDir, nodePath.basename(checked));
}
