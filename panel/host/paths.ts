// Path text for the panel, which runs where Node's `path` module does not exist (UXP, the browser). Paths come from
// the host and go to the helper as they are; both Windows ("C:\\Edit\\a.prproj") and POSIX forms are handled.

/** The folder next to the project file that receives generated clips (Project Manager and relink keep working). */
export const MEDIA_FOLDER_NAME = "Tessera Media";
/** The project bin that receives generated clips. */
export const MEDIA_BIN_NAME = "Tessera Media";

function separatorOf(path: string): "/" | "\\" {
  return path.includes("\\") && !path.includes("/") ? "\\" : "/";
}

export function baseName(path: string): string {
  const parts = path.split(/[\\/]/);
  return parts[parts.length - 1] ?? path;
}

/** The folder of a file path; "" for a bare name. */
export function dirName(path: string): string {
  const i = Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\"));
  if (i < 0) return "";
  if (i === 0) return path.slice(0, 1); // "/file" -> "/"
  return path.slice(0, i);
}

export function joinPath(folder: string, ...names: string[]): string {
  const sep = separatorOf(folder);
  let out = folder;
  for (const name of names) out = out.endsWith("/") || out.endsWith("\\") ? out + name : out + sep + name;
  return out;
}

/** "Tessera Media" beside the project file, or null for an unsaved project. */
export function mediaFolderFor(projectPath: string | null): string | null {
  if (!projectPath) return null;
  const folder = dirName(projectPath);
  return folder ? joinPath(folder, MEDIA_FOLDER_NAME) : null;
}

/** Comparable form: one separator, no trailing separator, case folded (Windows and macOS volumes ignore case). */
export function samePath(a: string, b: string): boolean {
  const norm = (p: string) =>
    p
      .trim()
      .replace(/[\\/]+/g, "/")
      .replace(/\/$/, "")
      .toLowerCase();
  return norm(a) === norm(b);
}
