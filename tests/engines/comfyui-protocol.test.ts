/**
 * The ComfyUI engine's protocol pieces against the fake server: /object_info in both COMBO encodings, template
 * filling, binary previews, the client's security rules (engine token only, no cross-host redirects, capped
 * downloads with no partial file) and the prompt runner's events, faults and cancel.
 */
import { existsSync, mkdtempSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ObjectInfo } from "../../helper-service/engines/comfyui/api.js";
import { parseBinaryFrame, QueueSchema } from "../../helper-service/engines/comfyui/api.js";
import { ComfyClient } from "../../helper-service/engines/comfyui/client.js";
import { checkGraph, comboOptions } from "../../helper-service/engines/comfyui/object-info.js";
import { pickVideo, runPrompt, type PromptHooks } from "../../helper-service/engines/comfyui/prompt-run.js";
import { fillTemplate, loadTemplates, type Template, type TemplateValues } from "../../helper-service/engines/comfyui/templates.js";
import { engineStatus } from "../../helper-service/engines/comfyui/status.js";
import { ComfyEngineSchema, type ComfyEngine } from "../../helper-service/engines/config.js";
import { DEFAULT_MODELS } from "./fake-comfyui/object-info.js";
import { FakeComfyUI } from "./fake-comfyui/server.js";

const { templates } = loadTemplates([]);
const template = (id: string): Template => templates.find((t) => t.manifest.id === id)!;
const values: TemplateValues = { prompt: "a lighthouse at dusk", negativePrompt: "", seed: 42, steps: 4, guidance: 3, width: 768, height: 512, length: 17, fps: 24, filenamePrefix: "tessera/test" };
const engineFor = (fake: FakeComfyUI, extra: Partial<ComfyEngine> = {}): ComfyEngine => ComfyEngineSchema.parse({ kind: "comfyui", name: "studio-gpu", url: fake.url, ...extra });

function recordingHooks(signal = new AbortController().signal) {
  const seen = { nodes: [] as string[], steps: [] as [number, number][], previews: 0, notices: [] as string[] };
  const hooks: PromptHooks = {
    signal,
    onNode: (c) => seen.nodes.push(c),
    onStep: (s, n) => seen.steps.push([s, n]),
    onPreview: () => seen.previews++,
    onNotice: (m) => seen.notices.push(m),
  };
  return { seen, hooks };
}

let fake: FakeComfyUI;
let info: ObjectInfo;
beforeAll(async () => {
  fake = await FakeComfyUI.start({ stepMs: 30 });
  info = await new ComfyClient(engineFor(fake)).objectInfo();
});
afterAll(() => fake.close());
beforeEach(() => {
  fake.fault = null;
  fake.stepMs = 30;
  fake.models = DEFAULT_MODELS;
  fake.without = [];
  fake.redirectTo = null;
});

describe("object_info and templates", () => {
  test("reads COMBO options in the legacy and the V3 encoding", () => {
    expect(comboOptions(info.CheckpointLoaderSimple!.input.required!.ckpt_name)).toEqual(["ltx-video-2b-v0.9.5.safetensors"]);
    expect(comboOptions(info.SaveVideo!.input.required!.format)).toEqual(["auto", "mp4"]);
    expect(comboOptions(info.EmptyLTXVLatentVideo!.input.required!.width)).toBeNull();
  });

  test("every built-in template fits a complete server", () => {
    expect(templates.map((t) => t.manifest.id).sort()).toEqual(["ltxv-guides", "ltxv-t2v", "wan21-flf", "wan21-t2v"]);
    for (const t of templates) expect(checkGraph(fillTemplate(t, { ...values, before: "b.mp4", after: "a.mp4", afterIndex: 8 }), info)).toEqual([]);
  });

  test("a missing model file and a missing node are named with node and input", () => {
    const graph = fillTemplate(template("wan21-t2v"), values);
    const lacking = { ...info };
    delete lacking.ModelSamplingSD3;
    lacking.UNETLoader = { ...info.UNETLoader!, input: { required: { unet_name: [[]], weight_dtype: info.UNETLoader!.input.required!.weight_dtype! } } };
    const problems = checkGraph(graph, lacking);
    expect(problems).toEqual([
      expect.objectContaining({ nodeId: "1", classType: "UNETLoader", input: "unet_name", message: expect.stringContaining('"wan2.1_t2v_1.3B_fp16.safetensors" is not among') }),
      expect.objectContaining({ nodeId: "7", classType: "ModelSamplingSD3", message: expect.stringContaining("has no node ModelSamplingSD3") }),
    ]);
  });

  test("an absent side of the conditioning is cut out: guides bypassed, loaders removed", () => {
    const tail = fillTemplate(template("ltxv-guides"), { ...values, before: "tessera/b.mp4" });
    expect(tail["20"]!.inputs.file).toBe("tessera/b.mp4");
    expect(tail["30"]).toBeUndefined();
    expect(tail["33"]).toBeUndefined();
    // what fed the removed guide now feeds its users
    expect(tail["5"]!.inputs.positive).toEqual(["23", 0]);
    expect(tail["9"]!.inputs.latent_image).toEqual(["23", 2]);
    const head = fillTemplate(template("wan21-flf"), { ...values, after: "tessera/a.mp4" });
    expect(head["8"]!.inputs).not.toHaveProperty("start_image");
    expect(head["8"]!.inputs.end_image).toEqual(["31", 0]);
    expect(head["20"]).toBeUndefined();
    expect(checkGraph(tail, info)).toEqual([]);
    expect(checkGraph(head, info)).toEqual([]);
  });
});

describe("binary frames", () => {
  const frame = (...parts: Buffer[]) => new Uint8Array(Buffer.concat(parts));
  const u32 = (n: number) => {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(n);
    return b;
  };
  test("type 1 (JPEG/PNG) and type 4 (with metadata) carry previews; text and junk do not", () => {
    expect(parseBinaryFrame(frame(u32(1), u32(2), Buffer.from("png")))).toMatchObject({ mime: "image/png" });
    const meta = Buffer.from(JSON.stringify({ prompt_id: "p1", image_type: "image/jpeg" }));
    expect(parseBinaryFrame(frame(u32(4), u32(meta.length), meta, Buffer.from("jpg")))).toMatchObject({ mime: "image/jpeg", promptId: "p1" });
    expect(parseBinaryFrame(frame(u32(3), u32(1), Buffer.from("9hello")))).toBeNull();
    expect(parseBinaryFrame(frame(u32(4), u32(999), Buffer.from("x")))).toBeNull();
    expect(parseBinaryFrame(new Uint8Array([0, 0]))).toBeNull();
  });
});

describe("client security", () => {
  test("sends the engine's bearer token and nothing else; a wrong token is a clear error", async () => {
    const guarded = await FakeComfyUI.start({ token: "engine-secret" });
    try {
      await expect(new ComfyClient(engineFor(guarded)).systemStats()).rejects.toThrow(/HTTP 401/);
      await expect(new ComfyClient(engineFor(guarded, { token: "wrong" })).systemStats()).rejects.toMatchObject({ code: "E_ENGINE_UNREACHABLE", hint: expect.stringContaining("right --token") });
      const stats = await new ComfyClient(engineFor(guarded, { token: "engine-secret" })).systemStats();
      expect(stats.system.comfyui_version).toBe("0.3.64");
      const last = guarded.requests.at(-1)!;
      expect(last.headers.authorization).toBe("Bearer engine-secret");
      expect(Object.keys(last.headers).filter((h) => /tessera|cookie/i.test(h))).toEqual([]);
    } finally {
      await guarded.close();
    }
  });

  test("a redirect to another host is refused", async () => {
    fake.redirectTo = "http://evil.example:8188/system_stats";
    await expect(new ComfyClient(engineFor(fake)).systemStats()).rejects.toThrow(/redirected \/system_stats to another host \(http:\/\/evil\.example:8188\)/);
  });

  test("a server that accepts but never answers is reported as not answering in time, not as a cancel", async () => {
    const silent = createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, "127.0.0.1", r));
    try {
      const port = (silent.address() as { port: number }).port;
      const engine = ComfyEngineSchema.parse({ kind: "comfyui", name: "mute", url: `http://127.0.0.1:${port}` });
      const status = await engineStatus(engine, templates, 300);
      expect(status).toMatchObject({ reachable: false, detail: expect.stringContaining("mute at http://127.0.0.1:") });
      expect(status.detail).toContain("no answer in time");
    } finally {
      silent.close();
    }
  });

  test("an unreachable server is one clear error naming it", async () => {
    const engine = ComfyEngineSchema.parse({ kind: "comfyui", name: "gone", url: "http://127.0.0.1:9" });
    await expect(new ComfyClient(engine).systemStats()).rejects.toMatchObject({ code: "E_ENGINE_UNREACHABLE", message: expect.stringContaining("gone at http://127.0.0.1:9") });
  });
});

describe("a prompt on the server", () => {
  const run = async (t: Template, hooks: PromptHooks, engine = engineFor(fake)) => {
    const client = new ComfyClient(engine);
    const result = await runPrompt(client, fillTemplate(t, values), t.manifest.output, hooks);
    return { client, result };
  };

  test("relays nodes, steps and previews, then downloads the saved video from /view", async () => {
    const { seen, hooks } = recordingHooks();
    const { client, result } = await run(template("ltxv-t2v"), hooks);
    expect(seen.nodes).toContain("SamplerCustom");
    expect(seen.steps).toEqual([[1, 4], [2, 4], [3, 4], [4, 4]]);
    expect(seen.previews).toBe(4);
    const file = pickVideo(result.files, "studio-gpu");
    expect(file).toMatchObject({ subfolder: "tessera", type: "output", filename: expect.stringMatching(/^test_\d{5}_\.mp4$/) });
    const dir = mkdtempSync(join(tmpdir(), "tessera-dl-"));
    const bytes = await client.download(file, join(dir, "out"), 1e9);
    expect(bytes).toBeGreaterThan(1000);
    // a cap below the file's size refuses it, and leaves nothing behind
    await expect(client.download(file, join(dir, "capped"), 1000)).rejects.toThrow(/more than the 1000 allowed/);
    expect(existsSync(join(dir, "capped"))).toBe(false);
  });

  test("a download that stops is an error and leaves no partial file", async () => {
    const { hooks } = recordingHooks();
    const { client, result } = await run(template("ltxv-t2v"), hooks);
    fake.fault = "stop-download";
    const dest = join(mkdtempSync(join(tmpdir(), "tessera-dl-")), "out");
    await expect(client.download(pickVideo(result.files, "x"), dest, 1e9)).rejects.toThrow(/download of .* stopped after \d+/);
    expect(existsSync(dest)).toBe(false);
  });

  test("execution_error names the node and the server's message, with the out-of-memory fix", async () => {
    fake.fault = "execution_error";
    const { hooks } = recordingHooks();
    await expect(run(template("wan21-t2v"), hooks)).rejects.toMatchObject({
      code: "E_ENGINE_FAILED",
      message: expect.stringContaining("in node 9 (KSampler): Allocation on device 0 would exceed allowed memory"),
      hint: expect.stringContaining("ran out of memory"),
    });
  });

  test("node_errors for a missing model file: the server's refusal names node and input", async () => {
    fake.models = { ...DEFAULT_MODELS, checkpoints: [] };
    const { hooks } = recordingHooks();
    await expect(run(template("ltxv-t2v"), hooks)).rejects.toMatchObject({
      code: "E_ENGINE_TEMPLATE",
      message: expect.stringMatching(/Prompt outputs failed validation.*node 1 \(CheckpointLoaderSimple\) input "ckpt_name": Value not in list/),
    });
  });

  test("a hostile file name from the server only ever reaches the server's /view, never a local path", async () => {
    const client = new ComfyClient(engineFor(fake));
    const dir = mkdtempSync(join(tmpdir(), "tessera-dl-"));
    const hostile = { filename: "../../../../tmp/tessera-hostile.mp4", subfolder: "", type: "output" };
    await expect(client.download(pickVideo([hostile], "x"), join(dir, "out"), 1e9)).rejects.toThrow(/could not be downloaded \(HTTP 400\)/);
    expect(existsSync("/tmp/tessera-hostile.mp4")).toBe(false);
    expect(existsSync(join(dir, "out"))).toBe(false);
    expect(fake.requests.at(-1)).toMatchObject({ path: "/view" });
  });

  test("an output that is not a video is refused by name", () => {
    expect(() => pickVideo([{ filename: "x_00001_.png", subfolder: "", type: "output" }], "studio-gpu")).toThrow(/output is not a video \(x_00001_\.png\)/);
  });

  test("cancel interrupts the running prompt and returns within 2 s", async () => {
    fake.stepMs = 400;
    const controller = new AbortController();
    const { seen, hooks } = recordingHooks(controller.signal);
    const running = run(template("ltxv-t2v"), hooks);
    while (seen.steps.length === 0) await new Promise((r) => setTimeout(r, 20));
    const t0 = Date.now();
    controller.abort();
    await expect(running).rejects.toMatchObject({ code: "E_CANCELLED" });
    const returned = Date.now() - t0;
    // the server stopped it (at its next step): the queue is empty and its history records the interruption
    const client = new ComfyClient(engineFor(fake));
    while ((await client.json("/queue", QueueSchema)).queue_running.length > 0) await new Promise((r) => setTimeout(r, 20));
    const stopped = Date.now() - t0;
    expect(returned).toBeLessThan(2000);
    expect(stopped).toBeLessThan(2000);
    expect((await client.history(fake.promptIds.at(-1)!))!.status!.messages.map(([name]) => name)).toContain("execution_interrupted");
    process.stdout.write(`cancel: job ended after ${returned} ms, server stopped after ${stopped} ms (steps of ${fake.stepMs} ms)\n`);
  });

  test("a running prompt that stops making progress is stopped on the server with a clear error", async () => {
    fake.fault = "hang";
    const { hooks } = recordingHooks();
    const t0 = Date.now();
    await expect(run(template("wan21-t2v"), hooks, engineFor(fake, { stallSeconds: 1 }))).rejects.toMatchObject({
      code: "E_ENGINE_FAILED",
      message: "The engine server could not make the clip. studio-gpu: no progress from the server for 1 s; the job was stopped there.",
    });
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(fake.requests.at(-1)?.path).toMatch(/^\/(interrupt|queue)$/);
  });

  test("a dropped socket is reopened and the job still finishes", async () => {
    fake.fault = "drop-ws";
    const { seen, hooks } = recordingHooks();
    const { result } = await run(template("wan21-t2v"), hooks);
    expect(pickVideo(result.files, "x").filename).toMatch(/\.mp4$/);
    expect(seen.steps.length).toBeLessThan(4); // some events were lost while away: the end came from /history
  });

  test("a job queued behind another on a busy server says so once, then runs", async () => {
    fake.stepMs = 100;
    const first = recordingHooks();
    const second = recordingHooks();
    const running = run(template("ltxv-t2v"), first.hooks);
    while (first.seen.steps.length === 0) await new Promise((r) => setTimeout(r, 20));
    const { result } = await run(template("wan21-t2v"), second.hooks);
    await running;
    expect(second.seen.notices).toEqual(["studio-gpu is busy: the job waits behind 1 other job in its queue."]);
    expect(first.seen.notices).toEqual([]);
    expect(result.files).toHaveLength(1);
  });

  test("a server restart mid-job: the prompt is submitted once more and finishes", async () => {
    fake.stepMs = 150;
    const { seen, hooks } = recordingHooks();
    const running = run(template("wan21-t2v"), hooks);
    while (seen.steps.length === 0) await new Promise((r) => setTimeout(r, 20));
    fake.restart();
    const { result } = await running;
    expect(seen.notices).toEqual([expect.stringContaining("restarted during the job; it was submitted again")]);
    expect(result.files).toHaveLength(1);
  });
});
