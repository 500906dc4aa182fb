// AfterEffectsHost against the simulated After Effects running the real host.jsx: reading the comp, importing
// into "Tessera Media", and the four kinds of placement, each one undo group, with After Effects' refusals.
import { AfterEffectsHost } from "../../panel/host/aftereffects.js";
import { AfterEffectsError, JsxBridge } from "../../panel/host/aftereffects/bridge.js";
import type { ClipInfo, Edit, MediaItem } from "../../panel/host/editor-host.js";
import { MEDIA_BIN_NAME } from "../../panel/host/paths.js";
import { FolderItem, type FootageItem } from "../../panel/host/aftereffects/simulated/items.js";
import { framesToSeconds } from "../../shared/time.js";
import { afterEffects, type AeFixture } from "./fakes/after-effects.js";
import { f, FPS, record } from "./support.js";

const sec = (frames: number) => framesToSeconds(frames, FPS);
const near = (seconds: number, frames: number) => expect(seconds).toBeCloseTo(sec(frames), 6);

async function clipNamed(fx: AeFixture, name: string): Promise<ClipInfo> {
  const clip = (await fx.host.getVideoTracks()).flatMap((t) => t.clips).find((c) => c.name === name);
  if (!clip) throw new Error(`no clip ${name}`);
  return clip;
}

function edit(media: MediaItem, track: number, startFrame: number, frames: number, extra: Partial<Edit> = {}): Edit {
  return {
    label: "Tessera: test",
    remove: [],
    place: { media, track, start: f(startFrame), sourceIn: f(0), sourceOut: f(frames) },
    record: null,
    ...extra,
  };
}

describe("AfterEffectsHost reads the comp", () => {
  test("frame rate, size, current time and tracks come from the comp", async () => {
    const fx = afterEffects();
    const sequence = await fx.host.getSequence();
    expect(sequence).toMatchObject({ name: "Comp 1", fps: FPS, width: 1920, height: 1080, playhead: f(48), inPoint: null, outPoint: null, videoTrackCount: 2 });
    expect(sequence?.id).toBe(`/Edit/Spot.aep#${fx.comp.id}`);
    expect(await fx.host.getProject()).toEqual({ id: "/Edit/Spot.aep", name: "Spot.aep", path: "/Edit/Spot.aep" });
    fx.comp.frameRate = 25;
    fx.comp.width = 1280;
    fx.comp.height = 720;
    expect(await fx.host.getSequence()).toMatchObject({ fps: { num: 25, den: 1 }, width: 1280, height: 720 });
    expect((await fx.host.getSequence())?.dropFrame).toBeUndefined();
  });

  test("a 29.97 comp showing drop-frame timecode says so, so durations count its timecode", async () => {
    const fx = afterEffects();
    fx.comp.frameRate = 30000 / 1001;
    fx.comp.dropFrame = true;
    expect(await fx.host.getSequence()).toMatchObject({ fps: { num: 30000, den: 1001 }, dropFrame: true });
    fx.comp.dropFrame = false;
    expect((await fx.host.getSequence())?.dropFrame).toBeUndefined();
  });

  test("a poll's project, comp and selection reads share one evalScript; the project name is shown decoded", async () => {
    const fx = afterEffects({ projectPath: "/Edit/My Spot.aep" });
    const scripts: string[] = [];
    const host = new AfterEffectsHost(new JsxBridge(async (script) => (scripts.push(script), fx.run(script))));
    const [project] = await Promise.all([host.getProject(), host.getSequence(), host.getSelection()]);
    expect(project?.name).toBe("My Spot.aep");
    expect(scripts).toHaveLength(1);
    await host.getSequence();
    expect(scripts).toHaveLength(2); // nothing is kept once the read is done
  });

  test("a narrowed work area is the In/Out range; the comp's whole length is none", async () => {
    const fx = afterEffects();
    fx.comp.workAreaStart = sec(24);
    fx.comp.workAreaDuration = sec(48);
    expect(await fx.host.getSequence()).toMatchObject({ inPoint: f(24), outPoint: f(72) });
  });

  test("sequenced layers are one track, the title over them another; source ranges and files per layer", async () => {
    const fx = afterEffects();
    const tracks = await fx.host.getVideoTracks();
    expect(tracks.map((t) => t.clips.map((c) => c.name))).toEqual([
      ["Interview A.mp4", "Placeholder: skyline at dusk", "Street B.mp4", "Harbour wide.mp4"],
      ["Title: Chapter 2"],
    ]);
    const street = await clipNamed(fx, "Street B.mp4");
    expect(street).toMatchObject({ track: 0, start: f(216), end: f(288), mediaPath: "/media/street.mp4", mediaFps: FPS, speed: 1, offline: false });
    expect(Number(street.inPoint)).toBeCloseTo(Number(f(12)), -3);
    expect(Number(street.outPoint)).toBeCloseTo(Number(f(84)), -3);
    expect(await clipNamed(fx, "Placeholder: skyline at dusk")).toMatchObject({ mediaPath: null, offline: false });
    expect(await fx.host.getSequence()).toMatchObject({ videoTrackCount: 2 });
  });

  test("a layer at 200% stretch plays at half speed; missing footage is offline with no file", async () => {
    const fx = afterEffects();
    fx.layer("Harbour wide.mp4").stretch = 200;
    (fx.layer("Interview A.mp4").source as FootageItem).footageMissing = true;
    expect(await clipNamed(fx, "Harbour wide.mp4")).toMatchObject({ speed: 0.5, reversed: false });
    expect(await clipNamed(fx, "Interview A.mp4")).toMatchObject({ offline: true, mediaPath: null });
  });

  test("a reversed layer shows its source range the right way round; a time-remapped layer reads the remap curve", async () => {
    const fx = afterEffects();
    const street = fx.layer("Street B.mp4"); // comp 216..288 showing source 12..84
    street.timeRemapEnabled = true;
    const remap = street.property("ADBE Time Remapping");
    remap?.setValueAtTime(street.outPoint, sec(12 + 36)); // slowed to half: source 12..48 over the same 72 frames
    const slowed = await clipNamed(fx, "Street B.mp4");
    expect(slowed.speed).toBeCloseTo(0.5, 6);
    expect(Number(slowed.inPoint)).toBeCloseTo(Number(f(12)), -3);
    expect(Number(slowed.outPoint)).toBeCloseTo(Number(f(48)), -3);
    remap?.setValueAtTime(street.outPoint, sec(12));
    remap?.setValueAtTime(street.inPoint, sec(84)); // played backwards
    expect(await clipNamed(fx, "Street B.mp4")).toMatchObject({ reversed: true, speed: 1 });
    expect(Number((await clipNamed(fx, "Street B.mp4")).outPoint)).toBeCloseTo(Number(f(84)), -3);
  });

  test("an audio-only layer offers no picture to extend from", async () => {
    const fx = afterEffects();
    Object.defineProperty(fx.layer("Street B.mp4"), "hasVideo", { value: false });
    expect(await clipNamed(fx, "Street B.mp4")).toMatchObject({ mediaPath: null });
    expect(await clipNamed(fx, "Harbour wide.mp4")).toMatchObject({ mediaPath: "/media/harbour.mp4" });
  });

  test("the selection is the selected layers, in track then time order", async () => {
    const fx = afterEffects();
    fx.layer("Street B.mp4").selected = true;
    fx.layer("Title: Chapter 2").selected = true;
    fx.layer("Placeholder: skyline at dusk").selected = true;
    expect((await fx.host.getSelection()).map((c) => c.name)).toEqual(["Placeholder: skyline at dusk", "Street B.mp4", "Title: Chapter 2"]);
  });

  test("a footage item made active in the Project panel: the comp last worked in is still the sequence", async () => {
    const fx = afterEffects();
    const id = (await fx.host.getSequence())?.id;
    fx.ae.project.activeItem = fx.layer("Street B.mp4").source as FootageItem;
    expect((await fx.host.getSequence())?.id).toBe(id);
    fx.comp.remove();
    expect(await fx.host.getSequence()).toBeNull();
  });

  test("no active comp: no sequence, and edits say to open one", async () => {
    const fx = afterEffects();
    fx.ae.project.activeItem = null;
    expect(await fx.host.getSequence()).toBeNull();
    await expect(fx.host.getVideoTracks()).rejects.toThrow("No composition is active");
  });
});

describe("AfterEffectsHost polling", () => {
  /** Resolves once `check` holds (the poll runs on timers; a busy machine delays them). */
  async function until(what: string, check: () => boolean): Promise<void> {
    const deadline = Date.now() + 5000;
    while (!check()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 2));
    }
  }

  test("subscribers hear of a new selection, a trim of it or a time change; a still comp costs one small read a tick", async () => {
    const fx = afterEffects();
    const scripts: string[] = [];
    const host = new AfterEffectsHost(new JsxBridge(async (script) => (scripts.push(script), fx.run(script))), { pollMs: 5, fullEvery: 1000 });
    let heard = 0;
    const stop = host.subscribe(() => heard++);
    try {
      await until("ten polls", () => scripts.length >= 10);
      expect(heard).toBe(1); // the first stamp only
      expect(scripts.every((s) => s.includes('"readStamp"'))).toBe(true);
      fx.layer("Street B.mp4").selected = true;
      await until("the selection to be heard", () => heard === 2);
      fx.layer("Street B.mp4").outPoint -= 1;
      await until("the trim to be heard", () => heard === 3);
      fx.comp.time += 1;
      await until("the time change to be heard", () => heard === 4);
      const polls = scripts.length;
      await until("ten more polls", () => scripts.length >= polls + 10);
      expect(heard).toBe(4);
    } finally {
      stop();
    }
  });

  test("and every few unchanged stamps regardless, for edits the stamp does not see", async () => {
    const fx = afterEffects();
    const host = new AfterEffectsHost(new JsxBridge(async (script) => fx.run(script)), { pollMs: 5, fullEvery: 3 });
    let heard = 0;
    const stop = host.subscribe(() => heard++);
    try {
      await until("three calls", () => heard >= 3);
    } finally {
      stop();
    }
  });
});

describe("AfterEffectsHost imports into the Tessera Media folder", () => {
  test("a new footage item in one folder, reused for the same file, one undo step", async () => {
    const fx = afterEffects();
    const media = await fx.host.importMedia("/out/harbour-at-dawn_1.mp4", MEDIA_BIN_NAME);
    const again = await fx.host.importMedia("/OUT/harbour-at-dawn_1.mp4", MEDIA_BIN_NAME);
    expect(again).toEqual(media);
    const folders = fx.ae.project.rootFolder.children.filter((i) => i instanceof FolderItem);
    expect(folders.map((x) => x.name)).toEqual([MEDIA_BIN_NAME]);
    const folder = folders[0] as FolderItem;
    expect(folder.children.map((i) => i.name)).toEqual(["harbour-at-dawn_1.mp4"]);
    expect(media).toMatchObject({ name: "harbour-at-dawn_1.mp4", path: "/out/harbour-at-dawn_1.mp4" });
    expect(fx.ae.app.undoHistory.map((s) => s.label)).toEqual(["Tessera: import harbour-at-dawn_1.mp4"]);
  });

  test("a file that is not there is refused with its path, and nothing is added", async () => {
    const fx = afterEffects({ fileExists: (path) => path.startsWith("/media/") });
    const before = fx.ae.project.allItems.length;
    await expect(fx.host.importMedia("/gone/x.mp4", MEDIA_BIN_NAME)).rejects.toThrow("After Effects cannot find /gone/x.mp4");
    expect(fx.ae.project.allItems.length).toBe(before);
    expect(fx.ae.app.undoDepth).toBe(0);
  });

  test("an import that fails inside After Effects leaves no folder behind and closes its undo group", async () => {
    let checks = 0;
    // the file is there when host.jsx looks, and gone when After Effects reads it
    const fx = afterEffects({ fileExists: (path) => path.startsWith("/media/") || checks++ === 0 });
    const before = fx.ae.project.allItems.length;
    await expect(fx.host.importMedia("/out/vanishing.mp4", MEDIA_BIN_NAME)).rejects.toMatchObject({
      code: "extendscript",
      message: expect.stringContaining("Unable to import"),
    });
    expect(fx.ae.project.allItems.length).toBe(before);
    expect(fx.ae.project.rootFolder.children.map((i) => i.name)).not.toContain(MEDIA_BIN_NAME);
    expect(fx.ae.app.undoDepth).toBe(0);
  });
});

describe("AfterEffectsHost places clips as layers, one undo group each", () => {
  test("B-roll: a new layer at the current time, its in/out exact, its record in the comments", async () => {
    const fx = afterEffects();
    const media = await fx.host.importMedia("/out/broll.mp4", MEDIA_BIN_NAME);
    const clip = await fx.host.applyEdit({
      ...edit(media, 1, 48, 23),
      label: "Tessera: B-roll",
      place: { media, track: 1, start: f(48), sourceIn: f(6), sourceOut: f(29) },
      record: record(),
    });
    expect(clip).toMatchObject({ name: "broll.mp4", track: 1, start: f(48), end: f(71), mediaPath: "/out/broll.mp4" });
    const layer = fx.layer("broll.mp4");
    near(layer.startTime, 42);
    near(layer.inPoint, 48);
    near(layer.outPoint, 71);
    expect(layer.index).toBe(1); // above the title, the only layer on V2
    expect(layer.comment).toContain("harbour at dawn");
    expect((layer.source as FootageItem).comment).toContain("AI-generated");
    expect(fx.ae.app.undoHistory.map((s) => s.label)).toEqual(["Tessera: import broll.mp4", "Tessera: B-roll"]);
    expect(fx.ae.app.undoDepth).toBe(0);
  });

  test("Replace: the placeholder's place in the stack and its in/out, the placeholder gone; Undo brings it back", async () => {
    const fx = afterEffects();
    const before = fx.stack();
    const placeholder = await clipNamed(fx, "Placeholder: skyline at dusk");
    const media = await fx.host.importMedia("/out/skyline.mp4", MEDIA_BIN_NAME);
    const clip = await fx.host.applyEdit({ ...edit(media, 0, 96, 48), label: "Tessera: Replace", remove: [placeholder] });
    expect(clip).toMatchObject({ track: 0, start: placeholder.start, end: placeholder.end });
    expect(fx.stack()).toEqual(before.map((n) => (n === placeholder.name ? "skyline.mp4" : n)));
    expect(fx.ae.app.undo()).toBe("Tessera: Replace");
    expect(fx.stack()).toEqual(before);
    expect((await clipNamed(fx, placeholder.name)).start).toBe(placeholder.start);
  });

  test("Replace swaps the footage of the same layer, so what the editor did to it (its name here) stays", async () => {
    const fx = afterEffects();
    const layer = fx.layer("Placeholder: skyline at dusk");
    layer.name = "Skyline goes here";
    const placeholder = await clipNamed(fx, "Skyline goes here");
    const media = await fx.host.importMedia("/out/skyline.mp4", MEDIA_BIN_NAME);
    const clip = await fx.host.applyEdit({ ...edit(media, 0, 96, 48), remove: [placeholder], record: record("skyline") });
    expect(clip).toMatchObject({ id: placeholder.id, name: "Skyline goes here", mediaPath: "/out/skyline.mp4", start: f(96), end: f(144) });
    expect((layer.source as FootageItem).name).toBe("skyline.mp4");
    expect(layer.comment).toContain("skyline");
  });

  test("Replace of a text layer (no footage to swap) takes it out and puts the clip at its place in the stack", async () => {
    const fx = afterEffects();
    const text = fx.comp.layers.addText("Shot missing");
    text.inPoint = sec(400);
    text.outPoint = sec(430);
    text.moveAfter(fx.layer("Harbour wide.mp4"));
    const before = fx.stack();
    const placeholder = await clipNamed(fx, "Shot missing");
    expect(placeholder).toMatchObject({ track: 0, mediaPath: null });
    const media = await fx.host.importMedia("/out/shot.mp4", MEDIA_BIN_NAME);
    const clip = await fx.host.applyEdit({ ...edit(media, 0, 400, 30), remove: [placeholder] });
    expect(clip).toMatchObject({ track: 0, start: f(400), end: f(430), name: "shot.mp4" });
    expect(clip.id).not.toBe(placeholder.id);
    expect(fx.stack()).toEqual(before.map((n) => (n === "Shot missing" ? "shot.mp4" : n)));
  });

  test("Extend tail: right after the clip on its track, next to it in the stack", async () => {
    const fx = afterEffects();
    const media = await fx.host.importMedia("/out/more-harbour.mp4", MEDIA_BIN_NAME);
    const clip = await fx.host.applyEdit(edit(media, 0, 360, 23));
    expect(clip).toMatchObject({ track: 0, start: f(360), end: f(383) });
    const stack = fx.stack();
    expect(stack.indexOf("more-harbour.mp4")).toBe(stack.indexOf("Harbour wide.mp4") + 1);
    expect((await fx.host.getVideoTracks())).toHaveLength(2);
  });

  test("Extend head of the first shot: above it, still on V1", async () => {
    const fx = afterEffects();
    fx.layer("Interview A.mp4").inPoint = sec(24); // its head trimmed: room before it
    fx.layer("Interview A.mp4").inPoint = sec(-10); // After Effects clamps to the footage's first frame
    near(fx.layer("Interview A.mp4").inPoint, 0);
    fx.layer("Interview A.mp4").inPoint = sec(24);
    const media = await fx.host.importMedia("/out/before.mp4", MEDIA_BIN_NAME);
    const clip = await fx.host.applyEdit(edit(media, 0, 0, 24));
    expect(clip).toMatchObject({ track: 0, start: f(0), end: f(24) });
    const stack = fx.stack();
    expect(stack.indexOf("before.mp4")).toBe(stack.indexOf("Interview A.mp4") - 1);
  });

  test("Fill: the gap on its track, between the two layers in the stack, the layers around it untouched", async () => {
    const fx = afterEffects();
    const media = await fx.host.importMedia("/out/gap.mp4", MEDIA_BIN_NAME);
    const clip = await fx.host.applyEdit(edit(media, 0, 144, 72));
    expect(clip).toMatchObject({ track: 0, start: f(144), end: f(216) });
    const stack = fx.stack();
    expect(stack.slice(stack.indexOf("Placeholder: skyline at dusk"), stack.indexOf("Street B.mp4") + 1)).toEqual([
      "Placeholder: skyline at dusk",
      "gap.mp4",
      "Street B.mp4",
    ]);
    near(fx.layer("Street B.mp4").inPoint, 216);
    near(fx.layer("Placeholder: skyline at dusk").outPoint, 144);
  });

  test("Overwrite inside a layer splits it around the new clip, as a timeline overwrite does", async () => {
    const fx = afterEffects();
    const media = await fx.host.importMedia("/out/insert.mp4", MEDIA_BIN_NAME);
    const clip = await fx.host.applyEdit(edit(media, 0, 230, 20));
    expect(clip).toMatchObject({ track: 0, start: f(230), end: f(250) });
    const v1 = (await fx.host.getVideoTracks())[0]?.clips.map((c) => [c.name, c.start, c.end]);
    expect(v1).toEqual([
      ["Interview A.mp4", f(0), f(96)],
      ["Placeholder: skyline at dusk", f(96), f(144)],
      ["Street B.mp4", f(216), f(230)],
      ["insert.mp4", f(230), f(250)],
      ["Street B.mp4", f(250), f(288)],
      ["Harbour wide.mp4", f(288), f(360)],
    ]);
    fx.ae.app.undo();
    expect(fx.stack().filter((n) => n === "Street B.mp4")).toHaveLength(1);
  });

  test("a track past the last one is a new layer on top", async () => {
    const fx = afterEffects();
    const media = await fx.host.importMedia("/out/top.mp4", MEDIA_BIN_NAME);
    const clip = await fx.host.applyEdit(edit(media, 2, 250, 10));
    expect(clip.track).toBe(2);
    expect(fx.stack()[0]).toBe("top.mp4");
    await expect(fx.host.applyEdit(edit(media, 4, 0, 10))).rejects.toThrow('There is no level 5 in "Comp 1"');
  });
});

describe("After Effects refusals leave the comp as it was", () => {
  test("a locked layer in the way: a sentence that says to unlock it, nothing changed, no undo group open", async () => {
    const fx = afterEffects();
    fx.layer("Street B.mp4").locked = true;
    const media = await fx.host.importMedia("/out/x.mp4", MEDIA_BIN_NAME);
    const before = fx.stack();
    const steps = fx.ae.app.undoHistory.length;
    const error = await fx.host.applyEdit(edit(media, 0, 230, 20)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AfterEffectsError);
    expect(error).toMatchObject({ code: "locked", message: expect.stringContaining('"Street B.mp4" is locked') });
    expect(fx.stack()).toEqual(before);
    expect(fx.ae.app.undoHistory.length).toBe(steps);
    expect(fx.ae.app.undoDepth).toBe(0);
  });

  test("an After Effects error halfway: what was done is put back and the undo group is closed", async () => {
    const fx = afterEffects();
    const media = await fx.host.importMedia("/out/y.mp4", MEDIA_BIN_NAME);
    const street = fx.layer("Street B.mp4");
    const before = fx.stack();
    // After Effects throws when the new layer is moved into place, after it was added and timed
    const layerClass = Object.getPrototypeOf(street) as { moveBefore: unknown; moveAfter: unknown };
    const original = { moveBefore: layerClass.moveBefore, moveAfter: layerClass.moveAfter };
    const boom = () => {
      throw new Error("After Effects error: out of memory");
    };
    Object.assign(layerClass, { moveBefore: boom, moveAfter: boom });
    try {
      const error = await fx.host.applyEdit(edit(media, 0, 144, 72)).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: "extendscript", message: "After Effects: After Effects error: out of memory" });
    } finally {
      Object.assign(layerClass, original);
    }
    expect(fx.stack()).toEqual(before);
    expect(fx.ae.app.undoDepth).toBe(0);
  });

  test("a Replace that fails halfway gives the layer its footage and timing back", async () => {
    const fx = afterEffects();
    const layer = fx.layer("Placeholder: skyline at dusk");
    const source = layer.source;
    const placeholder = await clipNamed(fx, "Placeholder: skyline at dusk");
    const media = await fx.host.importMedia("/out/skyline.mp4", MEDIA_BIN_NAME);
    const item = fx.ae.project.itemByID(Number(media.id)) as FootageItem;
    Object.defineProperty(item, "comment", {
      set: () => {
        throw new Error("After Effects error: comment is read-only");
      },
    });
    const error = await fx.host.applyEdit({ ...edit(media, 0, 96, 48), remove: [placeholder], record: record() }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "extendscript" });
    expect(layer.source).toBe(source);
    near(layer.inPoint, 96);
    near(layer.outPoint, 144);
    near(layer.startTime, 96);
    expect(fx.ae.app.undoDepth).toBe(0);
  });

  test("footage shorter than the placement: After Effects clamps the layer and the read-back says so", async () => {
    const fx = afterEffects({ probe: () => ({ duration: 0.5, frameRate: 24000 / 1001, width: 64, height: 32 }) });
    const media = await fx.host.importMedia("/out/short.mp4", MEDIA_BIN_NAME);
    await expect(fx.host.applyEdit(edit(media, 1, 48, 23))).rejects.toMatchObject({ code: "clamped", message: expect.stringContaining("instead of 48 to 71") });
  });

  test("a layer removed by the user since the selection was read", async () => {
    const fx = afterEffects();
    const placeholder = await clipNamed(fx, "Placeholder: skyline at dusk");
    const media = await fx.host.importMedia("/out/z.mp4", MEDIA_BIN_NAME);
    fx.layer("Placeholder: skyline at dusk").remove();
    await expect(fx.host.applyEdit({ ...edit(media, 0, 96, 48), remove: [placeholder] })).rejects.toThrow('The layer "Placeholder: skyline at dusk" is no longer in "Comp 1"');
  });

  test("host.jsx refuses an edit planned on layers that changed since (and opens no undo group)", async () => {
    const fx = afterEffects();
    const media = await fx.host.importMedia("/out/w.mp4", MEDIA_BIN_NAME);
    const args = {
      label: "Tessera: stale",
      compId: fx.comp.id,
      expect: fx.comp.stack.map((l) => l.id).slice(1),
      remove: [],
      cuts: [],
      place: { relation: "top", itemId: Number(media.id), startTime: 0, inPoint: 0, outPoint: 1, comment: null },
    };
    const reply = JSON.parse(fx.run(`tesseraCall("applyEdit", ${JSON.stringify(args)})`));
    expect(reply).toEqual({ ok: false, error: { code: "comp-changed", message: expect.stringContaining('The layers of "Comp 1" changed') } });
    expect(fx.ae.app.undoHistory.map((s) => s.label)).not.toContain("Tessera: stale");
  });
});
