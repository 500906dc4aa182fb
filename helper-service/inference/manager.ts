/**
 * Installs a model package into the user's models folder, from a URL (the package folder, or its model.json) or
 * from a local folder. The disk space is checked up front; files go into a temp folder next to the target
 * (`.partial-ID-VERSION`, kept across attempts so an interrupted download resumes with an HTTP Range request),
 * each is checked against its sha256, and only then is the folder renamed into place: a package is either fully
 * installed or not there at all.
 */
import { copyFile, mkdir, open, rename, rm, stat, statfs, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { TesseraError } from "../../shared/errors.js";
import { sha256File } from "./hashing.js";
import { MANIFEST_FILE, parseManifest, type Manifest } from "./manifest.js";
import { readManifest, verifyFiles } from "./package.js";
import type { InstalledPackage } from "./registry.js";

export interface InstallProgress {
  phase: "download" | "copy" | "verify";
  file: string;
  bytesDone: number;
  bytesTotal: number;
}

export interface InstallOptions {
  /** The user's models folder. */
  userDir: string;
  onProgress?: (progress: InstallProgress) => void;
  signal?: AbortSignal;
}

/** Room left free beyond the package itself, so an install never fills the disk to the last byte. */
export const DISK_MARGIN_BYTES = 64 * 1024 * 1024;

export const packageFolderName = (m: Pick<Manifest, "id" | "version">): string => `${m.id}-${m.version}`;

export async function installPackage(source: string, options: InstallOptions): Promise<InstalledPackage> {
  await mkdir(options.userDir, { recursive: true });
  if (/^https?:\/\//i.test(source)) return installFromUrl(source, options);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(source)) {
    throw new TesseraError("E_BAD_REQUEST", `${source}: only http(s) addresses and local folders can be installed.`);
  }
  return installFromFolder(source, options);
}

async function checkDiskSpace(dir: string, needed: number): Promise<void> {
  const fs = await statfs(dir);
  const free = fs.bavail * fs.bsize;
  if (free < needed + DISK_MARGIN_BYTES) {
    const mb = (n: number) => `${Math.ceil(n / 1048576)} MB`;
    throw new TesseraError("E_DISK_FULL", `Installing into ${dir} needs ${mb(needed + DISK_MARGIN_BYTES)}; ${mb(free)} is free.`);
  }
}

async function sizeOf(path: string): Promise<number> {
  const info = await stat(path).catch(() => null);
  return info?.isFile() ? info.size : 0;
}

/** Moves the finished temp folder into place; an older copy of the same version is replaced only after. */
async function commit(temp: string, target: string): Promise<void> {
  const old = `${dirname(target)}/.old-${Date.now()}-${process.pid}`;
  const hadOld = await stat(target).then(() => true, () => false);
  if (hadOld) await rename(target, old);
  await rename(temp, target);
  if (hadOld) await rm(old, { recursive: true, force: true });
}

function installed(dir: string, manifest: Manifest): InstalledPackage {
  return { id: manifest.id, version: manifest.version, dir, source: "user", manifest };
}

/** How far a download's reading may run ahead of its disk writes. */
const WRITE_AHEAD = 16 * 1024 * 1024;

async function fetchOrFail(url: URL, init: RequestInit, what: string): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch (error) {
    if ((error as Error).name === "AbortError") throw new TesseraError("E_CANCELLED");
    throw new TesseraError("E_DOWNLOAD", `${what}: ${(error as Error).message} (${String((error as { cause?: unknown }).cause ?? "")}).`);
  }
}

export async function installFromUrl(address: string, options: InstallOptions): Promise<InstalledPackage> {
  const manifestUrl = new URL(address.endsWith(MANIFEST_FILE) ? address : address.replace(/\/?$/, `/${MANIFEST_FILE}`));
  const base = new URL(".", manifestUrl);
  const response = await fetchOrFail(manifestUrl, { signal: options.signal ?? null }, manifestUrl.href);
  if (!response.ok) throw new TesseraError("E_DOWNLOAD", `${manifestUrl.href} answered HTTP ${response.status}.`);
  const manifestText = await response.text();
  const manifest = parseManifest(manifestText, manifestUrl.href);

  const target = join(options.userDir, packageFolderName(manifest));
  const temp = join(options.userDir, `.partial-${packageFolderName(manifest)}`);
  await mkdir(temp, { recursive: true });
  const entries = Object.entries(manifest.files);
  const bytesTotal = entries.reduce((sum, [, f]) => sum + f.bytes, 0);
  let present = 0;
  for (const [name, f] of entries) present += Math.min(await sizeOf(join(temp, name)), f.bytes);
  await checkDiskSpace(options.userDir, bytesTotal - present);

  let bytesDone = present;
  for (const [name, expected] of entries) {
    const path = join(temp, name);
    await mkdir(dirname(path), { recursive: true });
    const url = new URL(name.split("/").map(encodeURIComponent).join("/"), base);
    let have = await sizeOf(path);
    if (have > expected.bytes) {
      await rm(path, { force: true });
      bytesDone -= expected.bytes;
      have = 0;
    }
    if (have < expected.bytes) {
      const headers: Record<string, string> = have > 0 ? { Range: `bytes=${have}-` } : {};
      const res = await fetchOrFail(url, { headers, signal: options.signal ?? null }, url.href);
      const resumed = res.status === 206;
      if (!res.ok || !res.body) throw new TesseraError("E_DOWNLOAD", `${url.href} answered HTTP ${res.status}.`);
      if (!resumed && have > 0) bytesDone -= have; // the server sent the whole file again
      const resumedAt = Number(/^bytes (\d+)-/.exec(res.headers.get("content-range") ?? "")?.[1] ?? -1);
      if (resumed && resumedAt !== have) {
        await res.body.cancel();
        await rm(path, { force: true });
        throw new TesseraError("E_DOWNLOAD", `${url.href} resumed at byte ${resumedAt}, not ${have}; run the install again to download it whole.`);
      }
      // Whatever arrived before a dropped connection must stay on disk to resume from. A web stream that errors
      // discards the chunks still queued in it, so reading starts at once (opening the file is the first write,
      // not a wait before the first read) and the writes follow behind it, at most WRITE_AHEAD bytes back; a
      // failure waits for them to land before it reports how much is on disk.
      const opening = open(path, resumed ? "a" : "w");
      let writes: Promise<unknown> = opening;
      writes.catch(() => undefined); // a failure is reported where it is awaited, not as an unhandled rejection
      let unwritten = 0;
      try {
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
          unwritten += chunk.length;
          writes = writes.then(async () => {
            await (await opening).write(chunk);
            unwritten -= chunk.length;
            bytesDone += chunk.length;
            options.onProgress?.({ phase: "download", file: name, bytesDone, bytesTotal });
          });
          writes.catch(() => undefined);
          if (unwritten > WRITE_AHEAD) await writes;
        }
        await writes;
      } catch (error) {
        await writes.catch(() => undefined);
        if (options.signal?.aborted) throw new TesseraError("E_CANCELLED");
        const file = await opening;
        await file.sync().catch(() => undefined);
        throw new TesseraError("E_DOWNLOAD", `${url.href} stopped after ${(await file.stat()).size} of ${expected.bytes} bytes (${(error as Error).message}); run the install again to resume.`);
      } finally {
        await (await opening.catch(() => null))?.close();
      }
    }
    const size = await sizeOf(path);
    if (size !== expected.bytes) {
      throw new TesseraError("E_DOWNLOAD", `${url.href} ended after ${size} of ${expected.bytes} bytes; run the install again to resume.`);
    }
    options.onProgress?.({ phase: "verify", file: name, bytesDone, bytesTotal });
    const actual = await sha256File(path);
    if (actual !== expected.sha256) {
      await rm(path, { force: true });
      throw new TesseraError("E_MODEL_HASH", `${name} downloaded from ${url.href} has sha256 ${actual}, model.json says ${expected.sha256}.`);
    }
  }
  await writeFile(join(temp, MANIFEST_FILE), manifestText);
  await commit(temp, target);
  return installed(target, manifest);
}

export async function installFromFolder(source: string, options: InstallOptions): Promise<InstalledPackage> {
  const from = resolve(source);
  const manifest = await readManifest(from);
  await verifyFiles(from, manifest);
  const target = join(options.userDir, packageFolderName(manifest));
  if (resolve(target) === from) return installed(target, manifest);
  const temp = join(options.userDir, `.partial-${packageFolderName(manifest)}`);
  await rm(temp, { recursive: true, force: true });
  await mkdir(temp, { recursive: true });
  const entries = Object.entries(manifest.files);
  const bytesTotal = entries.reduce((sum, [, f]) => sum + f.bytes, 0);
  await checkDiskSpace(options.userDir, bytesTotal);
  let bytesDone = 0;
  try {
    for (const [name, f] of entries) {
      if (options.signal?.aborted) throw new TesseraError("E_CANCELLED");
      await mkdir(dirname(join(temp, name)), { recursive: true });
      await copyFile(join(from, name), join(temp, name));
      bytesDone += f.bytes;
      options.onProgress?.({ phase: "copy", file: name, bytesDone, bytesTotal });
    }
    await copyFile(join(from, MANIFEST_FILE), join(temp, MANIFEST_FILE));
    await verifyFiles(temp, manifest, { verify: true });
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    throw error;
  }
  await commit(temp, target);
  return installed(target, manifest);
}
