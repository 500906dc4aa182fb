import WebSocket from "ws";
import { HelperConnection, type SocketLike } from "../../panel/client/connection.js";
import { memoryTokenStore } from "../../panel/client/token-store.js";
import type { SimulatedHost } from "../../panel/host/simulated.js";
import type { JobView } from "../../panel/model/jobs.js";
import { PanelModel } from "../../panel/model/panel-model.js";
import { FakeHelper } from "./fakes/fake-helper.js";
import { clipNamed, demoHost, f, memoryStore, model as testModel, output } from "./support.js";

const createSocket = (url: string) => new WebSocket(url) as unknown as SocketLike;

interface Rig {
  helper: FakeHelper;
  host: SimulatedHost;
  model: PanelModel;
  store: Storage;
}
let rigs: Rig[] = [];
let helpers: FakeHelper[] = [];

async function rig(options: { store?: Storage; host?: SimulatedHost; helper?: FakeHelper } = {}): Promise<Rig> {
  const helper = options.helper ?? (await FakeHelper.start());
  helpers.push(helper);
  const host = options.host ?? demoHost();
  const store = options.store ?? memoryStore();
  const connection = new HelperConnection({
    createSocket,
    tokens: memoryTokenStore(helper.token),
    ports: [helper.port],
    openTimeoutMs: 500,
    backoff: { baseMs: 30, maxMs: 150, jitter: 0 },
  });
  let seed = 0;
  const model = new PanelModel({ host, connection, store, random: () => (seed += 0.125) % 1 });
  model.start();
  await until(model, () => model.getState().connection.kind === "connected" && model.getState().models.length > 0);
  const r = { helper, host, model, store };
  rigs.push(r);
  return r;
}

function until(model: PanelModel, test: () => boolean, ms = 4000): Promise<void> {
  return new Promise((resolve, reject) => {
    if (test()) return resolve();
    const timer = setTimeout(() => {
      off();
      reject(new Error(`timed out; jobs: ${JSON.stringify(model.getState().jobs.map((j) => [j.status, j.note]))}`));
    }, ms);
    const off = model.subscribe(() => {
      if (test()) {
        clearTimeout(timer);
        off();
        resolve();
      }
    });
  });
}

const job = (model: PanelModel): JobView => {
  const j = model.getState().jobs[0];
  if (!j) throw new Error("no job");
  return j;
};

afterEach(async () => {
  for (const r of rigs) r.model.dispose();
  for (const h of helpers) await h.stop().catch(() => undefined);
  rigs = [];
  helpers = [];
});

describe("B-roll from the panel model", () => {
  test("generate, follow progress and preview, land once on V2 at the playhead", async () => {
    const { helper, host, model } = await rig();
    model.setForm({ prompt: "harbour at dawn", duration: 2, durationUnit: "seconds" });
    await model.run("broll");
    await until(model, () => helper.jobs.length === 1 && job(model).jobId !== null);
    const sent = helper.lastJob().message;
    expect(sent.request).toMatchObject({ prompt: "harbour at dawn", frames: 48, fps: { num: 24000, den: 1001 }, width: 1920, height: 1080, handles: 12, workflow: "broll" });
    expect(sent.request.output.folder).toBe("/Volumes/Work/Edit/Tessera Media");
    expect(job(model)).toMatchObject({ status: "queued", summary: "B-roll · 00:00:02:00 · 2 s · V2", seed: sent.request.seed });
    helper.progress(helper.lastJob().jobId, 0.5);
    helper.preview(helper.lastJob().jobId);
    await until(model, () => job(model).status === "running" && job(model).previewUrl !== null);
    expect(job(model)).toMatchObject({ phase: "denoise", fraction: 0.5, etaSeconds: 12, window: { index: 0, count: 2 } });
    const out = output("/Volumes/Work/Edit/Tessera Media/harbour-at-dawn_1_abcd.mp4", 48, 12);
    helper.done(helper.lastJob().jobId, out);
    helper.done(helper.lastJob().jobId, out); // heard twice: placed once
    await until(model, () => job(model).status === "placed");
    const placed = host.clipsOn(1).filter((c) => c.name === "harbour-at-dawn_1_abcd.mp4");
    expect(placed).toHaveLength(1);
    expect(placed[0]).toMatchObject({ start: f(48), end: f(96), inPoint: f(12) });
    expect(job(model).note).toBe("On V2 as harbour-at-dawn_1_abcd.mp4.");
    expect(host.undoLabels).toEqual(['Tessera: B-roll "harbour at dawn"']);
  });

  test("no free track: the panel asks, and the answer decides the track", async () => {
    const { helper, host, model } = await rig();
    host.setPlayhead(f(250));
    model.setForm({ prompt: "fog", duration: 24, durationUnit: "frames" });
    await model.run("broll");
    const options = model.getState().question?.question.options.map((o) => o.label);
    expect(options).toEqual(["New track V3", "Overwrite V1", "Overwrite V2"]);
    expect(helper.jobs).toHaveLength(0);
    model.answerQuestion(model.getState().question!.question.options[0]!.choice);
    await until(model, () => helper.jobs.length === 1);
    expect(job(model).summary).toBe("B-roll · 00:00:01:00 · 1 s · V3");
  });

  test("a locked seed is used as it is; an unlocked one changes per take", async () => {
    const { helper, model } = await rig();
    model.setForm({ prompt: "a", seed: 777, seedLocked: true });
    await model.run("broll");
    model.setForm({ seedLocked: false });
    await model.run("broll");
    await until(model, () => helper.jobs.length === 2);
    const seeds = helper.jobs.map((j) => j.message.request.seed);
    expect(seeds[0]).toBe(777);
    expect(seeds[1]).not.toBe(777);
  });
});

describe("the other workflows", () => {
  test("Replace asks for the placeholder's exact frames and puts the clip in its place", async () => {
    const { helper, host, model } = await rig();
    host.select([clipNamed(host, "Placeholder: skyline").id]);
    await model.refreshHost();
    expect(model.availability().replace.enabled).toBe(true);
    await model.run("replace");
    await until(model, () => helper.jobs.length === 1 && job(model).jobId !== null);
    expect(helper.lastJob().message.request).toMatchObject({ prompt: "Placeholder: skyline", frames: 72, workflow: "replace" });
    helper.done(helper.lastJob().jobId, output("/out/skyline.mp4", 72, 12));
    await until(model, () => job(model).status === "placed");
    expect(host.clipsOn(0).map((c) => [c.name, Number(c.start / f(1)), Number(c.end / f(1))])).toEqual([
      ["Interview A.mp4", 0, 96],
      ["skyline.mp4", 96, 168],
      ["Street B.mp4", 216, 288],
      ["Harbour wide.mp4", 288, 360],
    ]);
  });

  test("Extend sends the clip's frames as conditioning and places the new frames right after it", async () => {
    const { helper, host, model } = await rig();
    host.select([clipNamed(host, "Harbour wide.mp4").id]);
    model.setForm({ prompt: "the boat keeps moving", duration: 1, durationUnit: "seconds", extendAt: "tail" });
    await model.run("extend");
    await until(model, () => helper.jobs.length === 1 && job(model).jobId !== null);
    expect(helper.lastJob().message.request).toMatchObject({
      frames: 24,
      handles: 0,
      workflow: "extend",
      conditioning: { before: { kind: "media", path: "/media/harbour.mp4", inFrame: 12, outFrame: 84 } },
    });
    helper.done(helper.lastJob().jobId, output("/out/more.mp4", 24, 0));
    await until(model, () => job(model).status === "placed");
    expect(clipNamed(host, "more.mp4")).toMatchObject({ track: 0, start: f(360), end: f(384) });
  });

  test("Fill conditions on both sides and fills the gap exactly", async () => {
    const { helper, host, model } = await rig();
    host.select([clipNamed(host, "Placeholder: skyline").id, clipNamed(host, "Street B.mp4").id]);
    model.setForm({ prompt: "city at dusk" });
    await model.run("fill");
    await until(model, () => helper.jobs.length === 1 && job(model).jobId !== null);
    expect(helper.lastJob().message.request).toMatchObject({ frames: 48, workflow: "fill", conditioning: { after: { path: "/media/street.mp4" } } });
    helper.done(helper.lastJob().jobId, output("/out/gap.mp4", 48, 0));
    await until(model, () => job(model).status === "placed");
    expect(clipNamed(host, "gap.mp4")).toMatchObject({ track: 0, start: f(168), end: f(216) });
  });

  test("a refused plan is explained and nothing is sent", async () => {
    const { helper, model } = await rig();
    await model.run("extend");
    expect(model.getState().message).toEqual({ tone: "warning", text: "Select the clip to extend in the timeline." });
    expect(helper.jobs).toHaveLength(0);
  });
});

describe("cancel", () => {
  test("sends cancel with the job id; the helper's answer marks the job cancelled", async () => {
    const { helper, model } = await rig();
    model.setForm({ prompt: "x" });
    await model.run("broll");
    await until(model, () => job(model).jobId !== null);
    await model.cancel(job(model).clientJobId);
    await until(model, () => job(model).status === "cancelled");
    expect(helper.sent("cancel")[0]).toMatchObject({ jobId: helper.lastJob().jobId });
  });
});

describe("surviving a helper restart", () => {
  test("a job that finished while the helper was away is placed once after the welcome, even across two reconnects", async () => {
    const first = await rig();
    const { helper, host, model, store } = first;
    model.setForm({ prompt: "harbour" });
    await model.run("broll");
    await until(model, () => job(model).jobId !== null);
    const fake = helper.lastJob();
    const port = helper.port;
    await helper.stop();
    await until(model, () => model.getState().connection.kind === "reconnecting");
    const restarted = await FakeHelper.start(port);
    helpers.push(restarted);
    restarted.token = helper.token;
    const out = output("/out/harbour_9.mp4", fake.message.request.frames, 12);
    restarted.queue = [restarted.entry(fake, "done", out)];
    await until(model, () => job(model).status === "placed", 6000);
    expect(host.clipsOn(1).filter((c) => c.name === "harbour_9.mp4")).toHaveLength(1);
    // the helper restarts again and still lists the job: nothing is placed twice
    await restarted.stop();
    const third = await FakeHelper.start(port);
    helpers.push(third);
    third.token = helper.token;
    third.queue = [third.entry(fake, "done", out)];
    await until(model, () => third.connections() === 1, 6000);
    await new Promise((r) => setTimeout(r, 200));
    expect(host.clipsOn(1).filter((c) => c.name === "harbour_9.mp4")).toHaveLength(1);
    expect(host.importCounts.get("/out/harbour_9.mp4")).toBe(1);
    expect(JSON.parse(store.getItem("tessera.pending") ?? "[]")).toEqual([]);
  });

  test("a request sent while the helper was down goes out again with the same clientJobId", async () => {
    const { helper, model } = await rig();
    const port = helper.port;
    await helper.stop();
    await until(model, () => model.getState().connection.kind !== "connected");
    model.setForm({ prompt: "late" });
    await model.run("broll");
    expect(job(model).status).toBe("sending");
    const back = await FakeHelper.start(port);
    helpers.push(back);
    back.token = helper.token;
    await until(model, () => back.jobs.length === 1, 6000);
    expect(back.lastJob().clientJobId).toBe(job(model).clientJobId);
  });

  test("a panel reload finds its unplaced job in history and places it", async () => {
    const store = memoryStore();
    const host = demoHost();
    const first = await rig({ store, host });
    first.model.setForm({ prompt: "reload me" });
    await first.model.run("broll");
    await until(first.model, () => job(first.model).jobId !== null);
    const fake = first.helper.lastJob();
    first.model.dispose();
    const out = output("/out/reload.mp4", fake.message.request.frames, 12);
    first.helper.history = [
      { jobId: fake.jobId, clientJobId: fake.clientJobId, state: "done", createdAt: "2026-11-25T10:00:00.000Z", request: fake.message.request, output: out },
    ];
    const second = await rig({ store, host, helper: first.helper });
    await until(second.model, () => second.model.getState().jobs[0]?.status === "placed");
    expect(host.clipsOn(1).filter((c) => c.name === "reload.mp4")).toHaveLength(1);
  });
});

describe("a helper that is still loading its model", () => {
  test("welcomes with no models; the panel asks again and enables Generate once the model is there", async () => {
    const helper = await FakeHelper.start();
    helper.models = [];
    helper.device = "starting";
    helpers.push(helper);
    const connection = new HelperConnection({ createSocket, tokens: memoryTokenStore(helper.token), ports: [helper.port] });
    const model = new PanelModel({ host: demoHost(), connection, store: memoryStore() });
    rigs.push({ helper, host: demoHost(), model, store: memoryStore() });
    model.start();
    model.setForm({ prompt: "x" });
    await until(model, () => model.getState().connection.kind === "connected");
    expect(model.availability().generate.reason).toMatch(/no model ready/);
    helper.models = [testModel()];
    helper.device = "CPU";
    await until(model, () => model.getState().models.length === 1, 5000);
    expect(model.getState()).toMatchObject({ device: "CPU", form: { modelId: "tessera-reference" } });
    expect(model.availability().generate.enabled).toBe(true);
  });
});

describe("history", () => {
  test("search, re-run with the same seed, variant with a new one, insert again at the playhead", async () => {
    const { helper, host, model } = await rig();
    const request = { prompt: "lighthouse", negativePrompt: "", seed: 4242, frames: 24, fps: { num: 24000, den: 1001 }, width: 1920, height: 1080, handles: 12, fit: "fill" as const, retime: "blend" as const, output: { format: "h264" as const }, workflow: "broll" as const };
    const item = { jobId: "0b7c9a1e-1111-4111-8111-111111111111", clientJobId: "old", state: "done" as const, createdAt: "2026-11-25T10:00:00.000Z", request, output: output("/out/lighthouse.mp4", 24, 12) };
    helper.history = [item, { ...item, jobId: "0b7c9a1e-2222-4222-8222-222222222222", request: { ...request, prompt: "harbour" } }];
    await model.searchHistory("light");
    expect(model.getState().history.items.map((i) => i.request.prompt)).toEqual(["lighthouse"]);
    await model.rerun(item);
    await model.variant(item);
    await until(model, () => helper.jobs.length === 2);
    expect(helper.jobs.map((j) => [j.message.request.prompt, j.message.request.seed === 4242])).toEqual([
      ["lighthouse", true],
      ["lighthouse", false],
    ]);
    await model.insertAgain(item);
    await model.insertAgain(item);
    const inserted = [1, 2].flatMap((t) => host.clipsOn(t)).filter((c) => c.name === "lighthouse.mp4");
    expect(inserted.map((c) => [c.track, c.start])).toEqual([
      [1, f(48)],
      [2, f(48)],
    ]);
    expect(host.importCounts.get("/out/lighthouse.mp4")).toBe(1);
    expect(host.undoLabels).toEqual(['Tessera: Insert again "lighthouse"', 'Tessera: Insert again "lighthouse"']);
  });
});

describe("sound under extensions and seamless loops from the panel", () => {
  test("Extend continues the clip's sound, and the new clip's sound lands on the clip's audio track", async () => {
    const { helper, host, model } = await rig();
    const boat = host.addClip({ name: "Boat.mov", track: 0, start: f(400), end: f(450), inPoint: 0n, outPoint: f(50), mediaPath: "/media/boat.mov", mediaFps: { num: 24000, den: 1001 }, audioTrack: 1 });
    host.select([boat.id]);
    model.setForm({ prompt: "the boat sails on", duration: 1, durationUnit: "seconds", extendAt: "tail" });
    await model.run("extend");
    await until(model, () => helper.jobs.length === 1 && job(model).jobId !== null);
    expect(helper.lastJob().message.request).toMatchObject({ audio: "extend", workflow: "extend", conditioning: { before: { kind: "media", path: "/media/boat.mov" } } });
    helper.done(helper.lastJob().jobId, { ...output("/out/boat-more.mp4", 24, 0), audio: true });
    await until(model, () => job(model).status === "placed");
    expect(clipNamed(host, "boat-more.mp4")).toMatchObject({ track: 0, start: f(450), end: f(474), audioTrack: 1 });
  });

  test("Sound set to none asks for none; a file without sound gets no audio track", async () => {
    const { helper, host, model } = await rig();
    host.select([clipNamed(host, "Harbour wide.mp4").id]);
    model.setForm({ prompt: "more harbour", duration: 1, durationUnit: "seconds", extendAt: "tail", sound: "none" });
    await model.run("extend");
    await until(model, () => helper.jobs.length === 1 && job(model).jobId !== null);
    expect(helper.lastJob().message.request.audio).toBe("none");
    helper.done(helper.lastJob().jobId, output("/out/quiet.mp4", 24, 0));
    await until(model, () => job(model).status === "placed");
    expect(clipNamed(host, "quiet.mp4").audioTrack).toBeUndefined();
  });

  test("Loop asks for a seamless clip without handles (the loop point is the file's end)", async () => {
    const { helper, model } = await rig();
    model.setForm({ prompt: "waves rolling in", duration: 2, durationUnit: "seconds", loop: true });
    await model.run("broll");
    await until(model, () => helper.jobs.length === 1);
    expect(helper.lastJob().message.request).toMatchObject({ loop: true, handles: 0, frames: 48, workflow: "broll" });
  });
});

describe("draft then final", () => {
  test("a draft shows as a draft; Make final re-runs prompt and seed at full quality and swaps it in place, one undo step", async () => {
    const { helper, host, model } = await rig();
    model.setForm({ prompt: "harbour at dawn", duration: 2, durationUnit: "seconds", quality: "draft", seed: 77, seedLocked: true });
    await model.run("broll");
    await until(model, () => helper.jobs.length === 1 && job(model).jobId !== null);
    const draftRequest = helper.lastJob().message.request;
    expect(draftRequest).toMatchObject({ quality: "draft", steps: 5, seed: 77 });
    expect(job(model).draft).toBe(true);
    helper.done(helper.lastJob().jobId, output("/out/draft.mp4", 72, 12));
    await until(model, () => job(model).status === "placed");
    const draftClip = clipNamed(host, "draft.mp4");
    const undoSteps = host.undoLabels.length;

    model.makeFinal(job(model).clientJobId);
    await until(model, () => helper.jobs.length === 2 && job(model).jobId !== null);
    const finalRequest = helper.lastJob().message.request;
    expect(finalRequest).toMatchObject({ prompt: "harbour at dawn", seed: 77, quality: "final", steps: 20, frames: draftRequest.frames, handles: 12 });
    expect(model.getState().jobs[1]).toMatchObject({ finalRequested: true });
    helper.done(helper.lastJob().jobId, output("/out/final.mp4", 72, 12));
    await until(model, () => job(model).status === "placed");
    const finalClip = clipNamed(host, "final.mp4");
    expect(finalClip).toMatchObject({ track: draftClip.track, start: draftClip.start, end: draftClip.end });
    expect(host.clipsOn(draftClip.track).some((c) => c.name === "draft.mp4")).toBe(false);
    expect(host.undoLabels.length).toBe(undoSteps + 1);
    expect(host.undoLabels.at(-1)).toBe('Tessera: Make final "harbour at dawn"');
    host.undo();
    expect(clipNamed(host, "draft.mp4")).toMatchObject({ track: draftClip.track, start: draftClip.start });
  });
});
