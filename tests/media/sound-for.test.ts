/** A job's sound track: asked for or not, PNG sequences, and footage whose sound cannot be read. */
import { join } from "node:path";
import { GenerationRequestSchema, type GenerationRequestInput } from "../../shared/protocol.js";
import { audioSourcesOf, soundFor } from "../../helper-service/render/sound.js";
import { makeSourceWithSound } from "../support/sound.js";
import { makeTempDir, tools } from "./helpers.js";

const request = (extra: Partial<GenerationRequestInput>) =>
  GenerationRequestSchema.parse({ prompt: "more", seed: 1, frames: 24, fps: { num: 24, den: 1 }, width: 64, height: 64, workflow: "extend", ...extra });

let dir: string;
let remove: () => void;
beforeAll(() => ({ dir, remove } = makeTempDir("tessera-sound-for-")));
afterAll(() => remove());

async function run(extra: Partial<GenerationRequestInput>) {
  const notices: string[] = [];
  const bed = await soundFor({ request: request(extra), handles: 0, workDir: dir, tools, signal: new AbortController().signal, notice: (n) => notices.push(n) });
  await bed?.cleanup();
  return { bed, notices };
}

test("media conditioning is its own sound source; --audio none and text-only jobs have none", () => {
  const media = { kind: "media" as const, path: "/m/a.mp4", inFrame: 0, outFrame: 48 };
  expect(audioSourcesOf(request({ conditioning: { before: media } }))).toEqual({ before: { path: "/m/a.mp4", inFrame: 0, outFrame: 48 } });
  expect(audioSourcesOf(request({ conditioning: { before: media }, audio: "none" }))).toEqual({});
  expect(audioSourcesOf(request({}))).toEqual({});
});

test("footage whose sound cannot be read costs the clip its sound, with a notice, not the job", async () => {
  const { bed, notices } = await run({ audioSources: { before: { path: join(dir, "gone.mp4"), inFrame: 0, outFrame: 48 } } });
  expect(bed).toBeNull();
  expect(notices[0]).toMatch(/gone\.mp4 could not be read .*; the new clip has no sound\./);
});

test("a PNG sequence says it has no place for sound", async () => {
  const source = join(dir, "room.mp4");
  makeSourceWithSound(source, { seconds: 2, fps: 24 });
  const { bed, notices } = await run({ audioSources: { before: { path: source, inFrame: 0, outFrame: 48 } }, output: { format: "png" } });
  expect(bed).toBeNull();
  expect(notices[0]).toMatch(/PNG sequence has no sound track/);
  const made = await run({ audioSources: { before: { path: source, inFrame: 0, outFrame: 48 } } });
  expect(made.bed?.sides.map((s) => s.side)).toEqual(["before"]);
  expect(made.notices).toEqual([]);
}, 30_000);
