// Shared test data for the panel: a 23.976 sequence like the harness's, a model, a finished job output.
import { SimulatedHost } from "../../panel/host/simulated.js";
import type { GenerationRecord, JobOutput, ModelInfo } from "../../shared/protocol.js";
import { framesToTicks, type FrameRate } from "../../shared/time.js";

export const FPS: FrameRate = { num: 24000, den: 1001 };
export const f = (n: number) => framesToTicks(n, FPS, "round");

export function model(overrides: Partial<ModelInfo["capabilities"]> = {}): ModelInfo {
  return {
    id: "tessera-reference",
    version: "1.0.0",
    description: "reference",
    fps: 8,
    sizes: [[64, 32]],
    maxFrames: 17,
    maxTokens: 16,
    defaults: { steps: 20, guidance: 3 },
    capabilities: { textToVideo: true, extendTail: true, extendHead: true, fill: true, conditionFrames: 5, ...overrides },
  };
}

export function record(prompt = "harbour at dawn"): GenerationRecord {
  return {
    tool: { name: "Tessera", version: "0.1.0" },
    model: { id: "tessera-reference", version: "1.0.0", sha256: "b".repeat(64) },
    prompt,
    negativePrompt: "",
    seed: 1,
    steps: 20,
    guidance: 3,
    shift: 1,
    device: "cpu",
    workflow: "broll",
    conditioning: null,
    digitalSourceType: "trainedAlgorithmicMedia",
    createdAt: "2026-11-25T10:00:00.000Z",
  };
}

export function output(path: string, frames: number, handles: number): JobOutput {
  return {
    path,
    frames: frames + 2 * handles,
    fps: FPS,
    width: 1920,
    height: 1080,
    handles,
    durationTicks: f(frames + 2 * handles).toString(),
    sha256: "c".repeat(64),
    record: record(),
  };
}

/** V1: interview 0-96, placeholder 96-168, gap, street 216-288, harbour 288-360; V2: title 240-312. Playhead 48. */
export function demoHost(): SimulatedHost {
  const host = new SimulatedHost(
    { id: "p1", name: "Edit.prproj", path: "/Volumes/Work/Edit/Edit.prproj" },
    { id: "s1", name: "Sequence 01", fps: FPS, width: 1920, height: 1080, playhead: f(48), tracks: ["V1", "V2"] },
  );
  const media = (name: string, path: string | null, track: number, from: number, to: number) =>
    host.addClip({ name, track, start: f(from), end: f(to), inPoint: f(12), outPoint: f(12 + to - from), mediaPath: path, mediaFps: FPS });
  media("Interview A.mp4", "/media/interview.mp4", 0, 0, 96);
  media("Placeholder: skyline", null, 0, 96, 168);
  media("Street B.mp4", "/media/street.mp4", 0, 216, 288);
  media("Harbour wide.mp4", "/media/harbour.mp4", 0, 288, 360);
  media("Title", null, 1, 240, 312);
  return host;
}

export function clipNamed(host: SimulatedHost, name: string) {
  for (let t = 0; t < host.trackCount(); t++) {
    const clip = host.clipsOn(t).find((c) => c.name === name);
    if (clip) return clip;
  }
  throw new Error(`no clip ${name}`);
}

/** A Storage-like map for the panel's persisted state. */
export function memoryStore(): Storage {
  const map = new Map<string, string>();
  return {
    get length() {
      return map.size;
    },
    clear: () => map.clear(),
    getItem: (k) => map.get(k) ?? null,
    key: (i) => [...map.keys()][i] ?? null,
    removeItem: (k) => void map.delete(k),
    setItem: (k, v) => void map.set(k, String(v)),
  };
}
