// Provenance: the generation record goes into the file as XMP (with IPTC DigitalSourceType) and into a sidecar,
// and comes back out through readRecord(), read by the same library that wrote it.
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import nodePath from "node:path";
import type { GenerationRecord } from "../../shared/protocol.js";
import {
  closeMetadata,
  createEncoder,
  DIGITAL_SOURCE_TYPE,
  readEmbeddedMetadata,
  readRecord,
  SidecarSchema,
  sidecarPath,
  c2paAvailability,
} from "../../helper-service/media/index.js";
import { ffprobeStream, makeTempDir, syntheticFrame } from "./helpers.js";

const record: GenerationRecord = {
  tool: { name: "Tessera", version: "0.1.0" },
  model: { id: "tessera-reference", version: "1.0.0", sha256: "ab".repeat(32) },
  prompt: 'Slow dolly over a "misty" pine forest at dawn — café <lights> & ünïcode',
  negativePrompt: "blurry, text",
  seed: 4294967295,
  steps: 20,
  guidance: 3.5,
  shift: 1,
  device: "cpu",
  workflow: "broll",
  conditioning: null,
  digitalSourceType: "trainedAlgorithmicMedia",
  createdAt: "2026-11-25T13:30:00.000Z",
};

const temp = makeTempDir();
afterAll(async () => {
  await closeMetadata();
  temp.remove();
});

async function encode(format: "h264" | "prores" | "png", name: string, withRecord: GenerationRecord | undefined, extra = {}) {
  const encoder = await createEncoder({
    format,
    out: nodePath.join(temp.dir, name),
    fps: { num: 24000, den: 1001 },
    width: 64,
    height: 32,
    record: withRecord,
    ...extra,
  });
  for (let i = 0; i < 4; i++) await encoder.write(syntheticFrame(i, 64, 32));
  return encoder.finish();
}

/** Top-level MP4/MOV boxes in file order. */
function topLevelBoxes(file: string): string[] {
  const data = readFileSync(file);
  const boxes: string[] = [];
  for (let at = 0; at + 8 <= data.length; ) {
    let size = data.readUInt32BE(at);
    const type = data.toString("latin1", at + 4, at + 8);
    if (size === 1) size = Number(data.readBigUInt64BE(at + 8));
    if (size === 0) size = data.length - at;
    boxes.push(type);
    at += size;
  }
  return boxes;
}

test.each([
  ["h264", "take.mp4"],
  ["prores", "take.mov"],
] as const)("%s: XMP and sidecar carry the record; the file stays fast-start and intact", async (format, name) => {
  const result = await encode(format, name, record);
  const embedded = await readEmbeddedMetadata(result.path);
  expect(embedded.digitalSourceType).toBe(DIGITAL_SOURCE_TYPE);
  expect(embedded.creatorTool).toBe("Tessera 0.1.0");
  expect(embedded.record).toEqual(record);

  const back = await readRecord(result.path);
  expect(back).toEqual({ record, source: "xmp", digitalSourceType: DIGITAL_SOURCE_TYPE });

  expect(result.sidecar).toBe(sidecarPath(result.path));
  const sidecar = SidecarSchema.parse(JSON.parse(readFileSync(result.sidecar as string, "utf8")));
  expect(sidecar).toEqual({ format: "tessera-record/1", file: name, record });

  // XMP was written after ffmpeg's faststart pass: moov must still come before mdat, and every frame decodes.
  const boxes = topLevelBoxes(result.path);
  expect(boxes.indexOf("moov")).toBeGreaterThanOrEqual(0);
  expect(boxes.indexOf("moov")).toBeLessThan(boxes.indexOf("mdat"));
  expect(Number(ffprobeStream(result.path).nb_read_frames)).toBe(4);
  expect(result.c2pa).toEqual({ state: "not-configured" });
});

test("a PNG sequence carries XMP in every frame and a sidecar next to the folder", async () => {
  const result = await encode("png", "seq", record);
  for (const file of result.files) expect((await readEmbeddedMetadata(file)).record).toEqual(record);
  expect(await readRecord(result.path)).toMatchObject({ record, source: "xmp" });
  expect(result.sidecar).toBe(`${result.path}.tessera.json`);
});

test("the sidecar is the fallback when the file has no XMP; files from elsewhere have no record", async () => {
  const plain = await encode("h264", "plain.mp4", undefined);
  expect(plain.sidecar).toBeNull();
  expect(await readRecord(plain.path)).toBeNull();
  writeFileSync(sidecarPath(plain.path), JSON.stringify({ format: "tessera-record/1", file: "plain.mp4", record }));
  expect(await readRecord(plain.path)).toEqual({ record, source: "sidecar", digitalSourceType: "trainedAlgorithmicMedia" });
  writeFileSync(sidecarPath(plain.path), "{ not json");
  await expect(readRecord(plain.path)).rejects.toMatchObject({ code: "E_MEDIA_CORRUPT" });
  rmSync(sidecarPath(plain.path));
  await expect(readRecord(nodePath.join(temp.dir, "missing.mp4"))).rejects.toMatchObject({ code: "E_MEDIA_UNSUPPORTED" });
});

// @contentauth/c2pa-node is optional (not a dependency): which test runs depends on whether it is installed here.
const c2paInstalled = (() => {
  try {
    require.resolve("@contentauth/c2pa-node");
    return true;
  } catch {
    return false;
  }
})();

(c2paInstalled ? test.skip : test)("C2PA configured without the optional package: reported, output still complete", async () => {
  const availability = await c2paAvailability();
  expect(availability).toMatchObject({ installed: false, detail: expect.stringMatching(/not installed/) });
  const c2pa = { certificatePath: "/nonexistent/cert.pem", privateKeyPath: "/nonexistent/key.pem" };
  const result = await encode("h264", "c2pa.mp4", record, { c2pa });
  expect(result.c2pa.state).toBe("not-installed");
  expect((await readRecord(result.path))?.record).toEqual(record);
});

(c2paInstalled ? test : test.skip)("C2PA signing with a configured certificate (skipped: @contentauth/c2pa-node not installed)", async () => {
  const { execFileSync } = await import("node:child_process");
  const { mkdirSync } = await import("node:fs");
  const dir = nodePath.join(temp.dir, "c2pa");
  mkdirSync(dir);
  const root = nodePath.resolve(__dirname, "../..");
  const out = execFileSync(process.execPath, [nodePath.join(root, "bin/run-ts.js"), nodePath.join(__dirname, "c2pa-sign.script.ts"), dir, JSON.stringify(record)], {
    cwd: root,
    encoding: "utf8",
    timeout: 60_000,
  });
  const report = JSON.parse(out.trim().split("\n").pop() as string) as { c2pa: unknown; manifestHasSourceType: boolean; record: unknown };
  expect(report).toEqual({ c2pa: { state: "signed", algorithm: "es256" }, manifestHasSourceType: true, record });
});
