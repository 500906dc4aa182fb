/**
 * WorkerHost.release: the command line lets the inference child go once its file is written, without waiting for
 * it; the child must still close its generator and exit by itself.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { WorkerHost } from "../../helper-service/jobs/worker.js";
import { FAKE_GENERATOR } from "../server/support.js";

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

test("a released child closes its generator and exits on its own, and release does not wait for it", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "tessera-release-"));
  try {
    const worker = new WorkerHost({ config: { dataDir, modelDirs: [], policyPath: join(dataDir, "policy.json") }, generatorModule: FAKE_GENERATOR });
    await worker.start();
    const pid = worker.pid!;
    worker.release();
    expect(alive(pid)).toBe(true); // still closing: release did not wait for it
    for (let i = 0; i < 100 && alive(pid); i++) await new Promise((r) => setTimeout(r, 50));
    expect(alive(pid)).toBe(false);
    const marks = join(dataDir, "generator-closed");
    expect(existsSync(marks)).toBe(true);
    expect(readFileSync(marks, "utf8").trim()).toBe(String(pid));
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}, 30_000);
