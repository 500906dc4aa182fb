import { existsSync } from "node:fs";
import { readdir, readFile, stat, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { installPackage, type InstallProgress } from "../../helper-service/inference/manager.js";
import { ModelPackage } from "../../helper-service/inference/package.js";
import { tempCopy, tempDir, TINY, tinyFileEntry } from "./helpers.js";

interface Served {
  url: string;
  requests: Array<{ path: string; range: string | undefined }>;
  /** Next response for this file stops after N bytes (the connection drops). */
  cutOnce: Map<string, number>;
  /** Next response for this file sends N bytes, then stalls with the connection open. */
  stallOnce: Map<string, number>;
  /** Replaced contents by file name. */
  replace: Map<string, Buffer>;
  close: () => Promise<void>;
}

/** A package folder over HTTP on 127.0.0.1, with Range support and injectable faults. */
async function serve(dir: string): Promise<Served> {
  const names = await readdir(dir);
  const files = new Map(await Promise.all(names.map(async (n) => [n, await readFile(join(dir, n))] as const)));
  const served: Omit<Served, "url" | "close"> = { requests: [], cutOnce: new Map(), stallOnce: new Map(), replace: new Map() };
  const server: Server = createServer((req, res) => {
    const name = decodeURIComponent(req.url!.replace(/^\/pkg\//, ""));
    served.requests.push({ path: name, range: req.headers.range });
    const body = served.replace.get(name) ?? files.get(name);
    if (!body) {
      res.writeHead(404).end("not found");
      return;
    }
    const match = /^bytes=(\d+)-$/.exec(req.headers.range ?? "");
    const start = match ? Number(match[1]) : 0;
    const part = body.subarray(start);
    res.writeHead(match ? 206 : 200, {
      "content-length": part.length,
      ...(match ? { "content-range": `bytes ${start}-${body.length - 1}/${body.length}` } : {}),
    });
    const stall = served.stallOnce.get(name);
    if (stall !== undefined) {
      served.stallOnce.delete(name);
      res.write(part.subarray(0, stall));
      return;
    }
    const cut = served.cutOnce.get(name);
    if (cut !== undefined) {
      served.cutOnce.delete(name);
      res.write(part.subarray(0, cut), () => res.destroy());
      return;
    }
    res.end(part);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { ...served, url: `http://127.0.0.1:${port}/pkg/`, close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }) };
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function serveTiny(): Promise<Served> {
  const server = await serve(TINY);
  cleanups.push(server.close);
  return server;
}

async function usersDir(): Promise<string> {
  const users = await tempDir();
  cleanups.push(users.cleanup);
  return users.dir;
}

describe("model installer", () => {
  test("installs from a URL, resuming an interrupted download with a Range request", async () => {
    const server = await serveTiny();
    const users = { dir: await usersDir() };
    server.cutOnce.set("transformer.onnx", 100_000);
    const first = await installPackage(server.url, { userDir: users.dir }).catch((e: unknown) => e);
    expect(first).toMatchObject({ code: "E_DOWNLOAD", message: expect.stringMatching(new RegExp(`transformer\\.onnx (stopped|ended) after \\d+ of ${tinyFileEntry("transformer.onnx").bytes} bytes.*run the install again to resume`)) });
    expect(existsSync(join(users.dir, "tessera-random-tiny-0.0.1"))).toBe(false); // nothing half-installed
    expect(await readdir(users.dir)).toEqual([".partial-tessera-random-tiny-0.0.1"]);
    const partial = (await stat(join(users.dir, ".partial-tessera-random-tiny-0.0.1", "transformer.onnx"))).size;
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThanOrEqual(100_000);

    const progress: InstallProgress[] = [];
    server.requests.length = 0;
    const installed = await installPackage(server.url, { userDir: users.dir, onProgress: (p) => progress.push(p) });
    expect(installed.dir).toBe(join(users.dir, "tessera-random-tiny-0.0.1"));
    expect(server.requests.find((r) => r.path === "transformer.onnx")).toEqual({ path: "transformer.onnx", range: `bytes=${partial}-` });
    // files finished in the first attempt are not fetched again
    expect(server.requests.map((r) => r.path)).toEqual(["model.json", "transformer.onnx", "vae_decoder.onnx", "vae_encoder.onnx"]);
    const downloads = progress.filter((p) => p.phase === "download").map((p) => p.bytesDone);
    expect(downloads).toEqual([...downloads].sort((a, b) => a - b));
    expect(progress.at(-1)!.bytesDone).toBe(progress.at(-1)!.bytesTotal);
    expect(await readdir(users.dir)).toEqual(["tessera-random-tiny-0.0.1"]);
    const pkg = await ModelPackage.load(installed.dir); // sha256 of every file checked again
    await pkg.dispose();
  });

  test("a cancelled download stops at once and keeps what arrived for the next attempt", async () => {
    const server = await serveTiny();
    const users = { dir: await usersDir() };
    server.stallOnce.set("transformer.onnx", 50_000);
    const controller = new AbortController();
    const install = installPackage(server.url, {
      userDir: users.dir,
      signal: controller.signal,
      onProgress: (p) => {
        if (p.file === "transformer.onnx" && p.phase === "download") controller.abort();
      },
    });
    await expect(install).rejects.toMatchObject({ code: "E_CANCELLED" });
    expect(existsSync(join(users.dir, "tessera-random-tiny-0.0.1"))).toBe(false);
    const partial = (await stat(join(users.dir, ".partial-tessera-random-tiny-0.0.1", "transformer.onnx"))).size;
    expect(partial).toBeGreaterThan(0);
    const installed = await installPackage(server.url, { userDir: users.dir });
    expect(server.requests.filter((r) => r.path === "transformer.onnx").at(-1)!.range).toBe(`bytes=${partial}-`);
    expect(installed.id).toBe("tessera-random-tiny");
  });

  test("a file that does not match its sha256 is refused and nothing is installed", async () => {
    const server = await serveTiny();
    const users = { dir: await usersDir() };
    const bad = Buffer.from(await readFile(join(TINY, "vae_decoder.onnx")));
    bad[500] = bad[500]! ^ 0xff;
    server.replace.set("vae_decoder.onnx", bad);
    await expect(installPackage(`${server.url}model.json`, { userDir: users.dir })).rejects.toMatchObject({
      code: "E_MODEL_HASH",
      message: expect.stringMatching(/vae_decoder\.onnx downloaded from http:\/\/127\.0\.0\.1:\d+\/pkg\/vae_decoder\.onnx has sha256 [0-9a-f]{64}, model\.json says 8342ed20/),
    });
    expect(existsSync(join(users.dir, "tessera-random-tiny-0.0.1"))).toBe(false);
  });

  test("the disk space is checked before anything is downloaded", async () => {
    const server = await serveTiny();
    const users = { dir: await usersDir() };
    const manifest = JSON.parse(await readFile(join(TINY, "model.json"), "utf8"));
    manifest.files["transformer.onnx"].bytes = 2 ** 52; // 4 PB
    server.replace.set("model.json", Buffer.from(JSON.stringify(manifest)));
    await expect(installPackage(server.url, { userDir: users.dir })).rejects.toMatchObject({ code: "E_DISK_FULL", message: expect.stringMatching(/needs \d+ MB; \d+ MB is free/) });
    expect(server.requests.map((r) => r.path)).toEqual(["model.json"]);
  });

  test("an address that answers 404 or a bad model.json gets a clear error", async () => {
    const server = await serveTiny();
    const users = { dir: await usersDir() };
    await expect(installPackage(`${server.url}nothing/`, { userDir: users.dir })).rejects.toMatchObject({ code: "E_DOWNLOAD", message: expect.stringMatching(/answered HTTP 404/) });
    server.replace.set("model.json", Buffer.from('{"format": "other"}'));
    await expect(installPackage(server.url, { userDir: users.dir })).rejects.toMatchObject({ code: "E_MODEL_INVALID", message: expect.stringMatching(/model\.json: format/) });
    await expect(installPackage("ftp://example.com/pkg", { userDir: users.dir })).rejects.toMatchObject({ code: "E_BAD_REQUEST" });
  });

  test("installs from a folder, verified, and replaces an older copy of the same version atomically", async () => {
    const users = { dir: await usersDir() };
    const first = await installPackage(TINY, { userDir: users.dir });
    const again = await installPackage(TINY, { userDir: users.dir });
    expect(again.dir).toBe(first.dir);
    expect(await readdir(users.dir)).toEqual(["tessera-random-tiny-0.0.1"]);
    const copy = await tempCopy(TINY);
    await writeFile(join(copy.dir, "tokenizer.json"), "{}");
    await expect(installPackage(copy.dir, { userDir: users.dir })).rejects.toMatchObject({ code: "E_MODEL_HASH" });
    expect(await readdir(users.dir)).toEqual(["tessera-random-tiny-0.0.1"]);
    await copy.cleanup();
  });
});
