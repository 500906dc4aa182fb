import { cp, mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { ModelInfoSchema } from "../../shared/protocol.js";
import { findPackage, listPackages, toModelInfo } from "../../helper-service/inference/registry.js";
import { ORACLE, REFERENCE, tempDir, TINY } from "./helpers.js";

describe("model registry", () => {
  test("lists the reference folder and each package in the user folder, and names broken ones", async () => {
    const tmp = await tempDir();
    await cp(TINY, join(tmp.dir, "tiny"), { recursive: true });
    await cp(ORACLE, join(tmp.dir, "oracle"), { recursive: true });
    await mkdir(join(tmp.dir, "broken"));
    await writeFile(join(tmp.dir, "broken", "model.json"), '{"format": "tessera-model/1"}');
    await mkdir(join(tmp.dir, ".partial-x-1.0.0")); // an install in progress is not a package
    const listing = await listPackages({ referenceDir: join(tmp.dir, "no-reference-here"), userDir: tmp.dir });
    expect(listing.packages.map((p) => [p.id, p.source])).toEqual([
      ["tessera-oracle", "user"],
      ["tessera-random-tiny", "user"],
    ]);
    expect(listing.problems).toHaveLength(1);
    expect(listing.problems[0]!.dir).toBe(join(tmp.dir, "broken"));
    expect(listing.problems[0]!.error.message).toMatch(/broken\/model\.json: id: /);
    await tmp.cleanup();
  });

  test("finds a package by id, the reference by default, and names what is installed otherwise", async () => {
    const tmp = await tempDir();
    await cp(ORACLE, join(tmp.dir, "oracle"), { recursive: true });
    const options = { referenceDir: TINY, userDir: tmp.dir };
    expect((await findPackage(undefined, options)).id).toBe("tessera-random-tiny");
    expect((await findPackage("tessera-oracle", options)).dir).toBe(join(tmp.dir, "oracle"));
    await expect(findPackage("nope", options)).rejects.toMatchObject({
      code: "E_MODEL_NOT_FOUND",
      message: expect.stringMatching(/No package has id "nope" \(installed: tessera-random-tiny, tessera-oracle\)/),
    });
    await expect(findPackage(undefined, { referenceDir: null, userDir: join(tmp.dir, "empty") })).rejects.toMatchObject({ code: "E_MODEL_NOT_FOUND" });
    await tmp.cleanup();
  });

  test("the default reference folder is models/reference of this checkout", async () => {
    const listing = await listPackages({ userDir: null });
    for (const p of listing.packages) expect(p.dir).toBe(REFERENCE);
    expect(listing.problems.filter((p) => p.dir === REFERENCE && /ENOENT/.test(p.error.message))).toEqual([]);
  });

  test("model info for the panel follows the protocol schema", async () => {
    const { packages } = await listPackages({ referenceDir: TINY });
    const info = toModelInfo(packages[0]!.manifest);
    expect(ModelInfoSchema.parse(info)).toEqual(info);
    expect(info).toMatchObject({ id: "tessera-random-tiny", fps: 8, maxFrames: 17, maxTokens: 16, defaults: { steps: 20, guidance: 3 } });
  });
});
