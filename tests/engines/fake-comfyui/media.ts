/**
 * What the fake server makes: the binary preview frames it sends while sampling (server.py encode_bytes layout:
 * event type 1 with an image type, or type 4 with a metadata JSON), and the file a save node writes, rendered by
 * ffmpeg at the graph's size, length and fps so the whole path through conform and encode runs for real.
 */
import { spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import sharp from "sharp";
import { locateMediaTools } from "../../../helper-service/media/binaries.js";

type Graph = Record<string, { class_type: string; inputs: Record<string, unknown> }>;

let jpeg: Buffer | undefined;

const u32 = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
};

export async function previewFrame(withMetadata: boolean, promptId: string, node: string): Promise<Buffer> {
  jpeg ??= await sharp({ create: { width: 64, height: 48, channels: 3, background: { r: 200, g: 90, b: 40 } } }).jpeg().toBuffer();
  if (!withMetadata) return Buffer.concat([u32(1), u32(1), jpeg]);
  const meta = Buffer.from(JSON.stringify({ node_id: node, prompt_id: promptId, display_node_id: node, parent_node_id: null, real_node_id: node, image_type: "image/jpeg" }));
  return Buffer.concat([u32(4), u32(meta.length), meta, jpeg]);
}

/**
 * The file a SaveVideo node writes into OUTPUT/subfolder as `name_00001_.mp4` (prefix "tessera/ltxv": subfolder
 * "tessera", name "ltxv"): size and length from the latent node, fps from CreateVideo, a hue from the seed.
 * `asImage` writes a PNG instead (a template whose output is not a video).
 */
export async function renderSaved(graph: Graph, prefix: string, outputDir: string, counter: number, asImage: boolean): Promise<{ filename: string; subfolder: string; type: "output" }> {
  const nodes = Object.values(graph);
  const find = (key: string): number | undefined => nodes.find((n) => typeof n.inputs[key] === "number" && "height" in n.inputs)?.inputs[key] as number | undefined;
  const width = find("width") ?? 768;
  const height = find("height") ?? 512;
  const length = find("length") ?? 97;
  const fps = (nodes.find((n) => n.class_type === "CreateVideo")?.inputs.fps as number | undefined) ?? 24;
  const sampler = nodes.find((n) => "noise_seed" in n.inputs || "seed" in n.inputs)?.inputs;
  const seed = Number(sampler?.noise_seed ?? sampler?.seed ?? 0);
  const subfolder = dirname(prefix) === "." ? "" : dirname(prefix);
  mkdirSync(join(outputDir, subfolder), { recursive: true });
  const filename = `${basename(prefix)}_${String(counter).padStart(5, "0")}_.${asImage ? "png" : "mp4"}`;
  const out = join(outputDir, subfolder, filename);
  const args = asImage
    ? ["-f", "lavfi", "-i", `testsrc2=size=${width}x${height}`, "-frames:v", "1", out]
    : ["-f", "lavfi", "-i", `testsrc2=size=${width}x${height}:rate=${fps}`, "-vf", `hue=h=${seed % 360}`, "-frames:v", String(length), "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", out];
  await new Promise<void>((resolve, reject) => {
    const child = spawn(locateMediaTools().ffmpeg.path, ["-y", "-v", "error", ...args], { stdio: ["ignore", "ignore", "pipe"] });
    let err = "";
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`ffmpeg: ${err}`))));
  });
  return { filename, subfolder, type: "output" };
}
