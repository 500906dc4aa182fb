// The helper itself dies mid-encode (SIGKILL: no cleanup code runs). The final name must never appear; what is
// left is a hidden temp file that removeStalePartials sweeps up.
import { execFileSync, spawn } from "node:child_process";
import { existsSync, readdirSync, utimesSync, writeFileSync } from "node:fs";
import nodePath from "node:path";
import { removeStalePartials } from "../../helper-service/media/index.js";
import { makeTempDir } from "./helpers.js";

const temp = makeTempDir();
afterAll(() => temp.remove());
const root = nodePath.resolve(__dirname, "../..");

test("a helper killed mid-encode never leaves a file under the final name", async () => {
  const out = nodePath.join(temp.dir, "take_1_abcd.mp4");
  const child = spawn(process.execPath, [nodePath.join(root, "bin/run-ts.js"), nodePath.join(__dirname, "encode-crash.script.ts"), out], {
    cwd: root,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on("data", (d: Buffer) => d.toString().includes("encoding") && resolve());
    child.once("exit", (code) => reject(new Error(`script exited early (${code}): ${stderr}`)));
  });
  const partial = readdirSync(temp.dir).filter((n) => n.includes("tessera-partial"));
  expect(partial).toHaveLength(1);
  expect(partial[0]).toMatch(/^\.take_1_abcd\.tessera-partial-[0-9a-f]{8}\.mp4$/);
  child.kill("SIGKILL");
  await new Promise((r) => child.once("exit", r));
  // ffmpeg, orphaned, sees its input end and exits by itself; wait for it before looking at the folder.
  const orphanRunning = (): boolean => {
    try {
      execFileSync("pgrep", ["-f", temp.dir]);
      return true;
    } catch {
      return false; // pgrep exits 1 when nothing matches
    }
  };
  for (let i = 0; i < 100 && orphanRunning(); i++) await new Promise((r) => setTimeout(r, 100));
  expect(orphanRunning()).toBe(false);
  expect(existsSync(out)).toBe(false);
  expect(readdirSync(temp.dir).filter((n) => !n.includes("tessera-partial"))).toEqual([]);

  // The sweep leaves fresh partials (a job may be running) and removes old ones.
  writeFileSync(nodePath.join(temp.dir, "keep.mp4"), "a finished clip");
  expect(await removeStalePartials(temp.dir)).toEqual([]);
  const leftover = nodePath.join(temp.dir, partial[0] as string);
  const hourAgo = new Date(Date.now() - 2 * 60 * 60 * 1000);
  utimesSync(leftover, hourAgo, hourAgo);
  expect(await removeStalePartials(temp.dir)).toEqual([leftover]);
  expect(readdirSync(temp.dir)).toEqual(["keep.mp4"]);
});
