import type { Action, ProjectItem, TrackItemSelection } from "@adobe/premierepro";
import { HostError } from "../../panel/host/editor-host.js";
import { readTesseraXmp } from "../../panel/host/metadata.js";
import { frameRateFromTimebase, PremiereHost } from "../../panel/host/premiere.js";
import type { FakeBin} from "./fakes/fake-premierepro.js";
import { createFakePremiere, FakeClip, FakeTrackItem, RuleViolation, type FakePremiere } from "./fakes/fake-premierepro.js";
import { f, FPS, record as makeRecord } from "./support.js";

// The prompt carries XML's special characters so the XMP round trip proves its escaping.
const record = makeRecord('harbour at "dawn" & fog');

function setup(): { fake: FakePremiere; host: PremiereHost; seqTracks: () => FakeTrackItem[][] } {
  const fake = createFakePremiere();
  const seq = fake.project.sequence!;
  const interview = new FakeClip(fake.engine, "Interview.mov", "/media/interview.mov", f(480), 25);
  const matte = new FakeClip(fake.engine, "Color Matte", "", f(1000), null);
  seq.tracks[0]!.items.push(
    seq.item({ name: "Interview.mov", start: 0n, end: f(96), inPoint: f(24), outPoint: f(120), clip: interview, speed: 1 }),
    seq.item({ name: "Placeholder", start: f(96), end: f(168), inPoint: 0n, outPoint: f(72), clip: matte, speed: 1 }),
  );
  seq.playhead = f(48) + 5n; // between frames: workflows snap, the host reports what Premiere says
  const host = new PremiereHost(fake.ppro, { importWaitMs: 50 });
  return { fake, host, seqTracks: () => seq.tracks.map((t) => t.items) };
}

describe("the strict premierepro fake refuses what Premiere refuses", () => {
  test("actions made outside lockedAccess, promises inside it, and seconds-based times are violations", async () => {
    const { fake } = setup();
    const root = fake.project.root;
    expect(() => root.createBinAction("X", false)).toThrow(/outside project.lockedAccess/);
    expect(() => fake.project.lockedAccess((async () => undefined) as unknown as () => void)).toThrow(/nothing may be awaited/);
    expect(() => fake.ppro.TickTime.createWithSeconds(1)).toThrow(RuleViolation);
    expect(() => fake.ppro.TickTime.createWithTicks(5 as unknown as string)).toThrow(/decimal tick string/);
    let late: Action | null = null;
    fake.project.lockedAccess(() => {
      void Promise.resolve().then(() => {
        try {
          late = root.createBinAction("late", false);
        } catch (error) {
          late = error as Action;
        }
      });
    });
    await Promise.resolve();
    await Promise.resolve();
    expect(late).toBeInstanceOf(RuleViolation);
  });

  test("importFiles throws for an undefined bin and 'succeeds' without importing a missing file", async () => {
    const { fake } = setup();
    await expect(fake.project.importFiles(["/x.mp4"], true, undefined, false)).rejects.toThrow("Illegal Parameter type");
    await expect(fake.project.importFiles(["/nope.mp4"], true, fake.project.root as unknown as ProjectItem, false)).resolves.toBe(true);
    expect(fake.project.root.items).toHaveLength(0);
  });

  test("a transaction without an undo label, or a rippling removal, is refused", () => {
    const { fake } = setup();
    expect(() => fake.project.lockedAccess(() => void fake.project.executeTransaction(() => undefined))).toThrow(/undo label/);
    const editor = fake.ppro.SequenceEditor.getEditor(fake.project.sequence as never);
    expect(() => editor.createRemoveItemsAction({} as never, true, 0 as never)).toThrow(/never ripples/);
    const clip = new FakeClip(fake.engine, "a.mp4", "/a.mp4", f(48), 24) as unknown as ProjectItem;
    const at = fake.ppro.TickTime.createWithTicks("0");
    expect(() => editor.createInsertProjectItemAction(clip, at, 0, 2, true)).toThrow(/ripple/); // V1 exists
    expect(() => editor.createInsertProjectItemAction(clip, at, 2, 2, false)).toThrow(/ripple/); // shift not limited
  });

  test("a selection made by createEmptySelection is dead once its callback returns", () => {
    const { fake, seqTracks } = setup();
    let escaped: TrackItemSelection | null = null;
    fake.ppro.TrackItemSelection.createEmptySelection((selection) => {
      selection.addItem(seqTracks()[0]![0] as never, true);
      escaped = selection;
    });
    expect(() => escaped!.addItem(seqTracks()[0]![1] as never, true)).toThrow(/no longer valid/);
    const editor = fake.ppro.SequenceEditor.getEditor(fake.project.sequence as never);
    fake.project.lockedAccess(() => {
      expect(() => editor.createRemoveItemsAction(escaped!, false, 2 as never)).toThrow(/no longer valid/);
    });
  });

  test("an overwrite onto a track that does not exist, or naming a missing audio track, reports success and places nothing", () => {
    const { fake, seqTracks } = setup();
    const editor = fake.ppro.SequenceEditor.getEditor(fake.project.sequence as never);
    const clip = new FakeClip(fake.engine, "a.mp4", "/a.mp4", f(48), 24) as unknown as ProjectItem;
    const at = fake.ppro.TickTime.createWithTicks("0");
    for (const [video, audio] of [[2, 0], [1, 2]] as const) {
      let ok = false;
      fake.project.lockedAccess(() => {
        ok = fake.project.executeTransaction((c) => void c.addAction(editor.createOverwriteItemAction(clip, at, video, audio)), "x");
      });
      expect(ok).toBe(true);
    }
    expect(seqTracks()).toHaveLength(2);
    expect(seqTracks()[1]).toHaveLength(0);
  });
});

describe("PremiereHost reads the sequence", () => {
  test("23.976 from the timebase, frame size, playhead ticks, no In/Out when it covers everything", async () => {
    const { host } = setup();
    expect(frameRateFromTimebase("10594584000")).toEqual({ num: 24000, den: 1001 });
    expect(frameRateFromTimebase("10584000000")).toEqual({ num: 24, den: 1 });
    expect(() => frameRateFromTimebase("0")).toThrow(HostError);
    const seq = await host.getSequence();
    expect(seq).toMatchObject({ id: "seq-guid-1", width: 1920, height: 1080, fps: FPS, inPoint: null, outPoint: null, videoTrackCount: 2 });
    expect(seq?.playhead).toBe(f(48) + 5n);
    expect(await host.getProject()).toEqual({ id: "project-guid-1", name: "Edit.prproj", path: "/Volumes/Work/Edit/Edit.prproj" });
  });

  test("a 29.97 drop-frame sequence says so; non-drop timecode leaves it out", async () => {
    const fake = createFakePremiere({ timebase: "8475667200" });
    const host = new PremiereHost(fake.ppro, { importWaitMs: 50 });
    expect((await host.getSequence())?.dropFrame).toBeUndefined();
    fake.project.sequence!.displayFormat = 102;
    expect(await host.getSequence()).toMatchObject({ fps: { num: 30000, den: 1001 }, dropFrame: true });
    fake.project.sequence!.displayFormat = 103;
    expect((await host.getSequence())?.dropFrame).toBeUndefined();
  });

  test("a real In/Out range comes through", async () => {
    const { fake, host } = setup();
    fake.project.sequence!.inPoint = f(24);
    fake.project.sequence!.outPoint = f(72);
    const seq = await host.getSequence();
    expect([seq?.inPoint, seq?.outPoint]).toEqual([f(24), f(72)]);
  });

  test("the selection keeps video items only, with media path and rate; a matte has no media", async () => {
    const { fake, host, seqTracks } = setup();
    const [interview, placeholder] = seqTracks()[0]!;
    const audio = new FakeTrackItem(interview!.data, () => 0); // no video transitions: an audio item
    fake.project.sequence!.selected = [placeholder!, audio, interview!];
    const selection = await host.getSelection();
    expect(selection.map((c) => c.name)).toEqual(["Interview.mov", "Placeholder"]);
    expect(selection[0]).toMatchObject({ track: 0, start: 0n, end: f(96), inPoint: f(24), mediaPath: "/media/interview.mov", mediaFps: { num: 25, den: 1 } });
    expect(selection[1]).toMatchObject({ mediaPath: null, mediaFps: null, start: f(96) });
    // the selected audio item over the interview's range is its linked sound, on A1
    expect(selection[0]!.audioTrack).toBe(0);
    expect(selection[1]!.audioTrack).toBeUndefined();
  });

  test("no project: null sequence, and edits say so", async () => {
    const { fake, host } = setup();
    fake.closeProject();
    expect(await host.getSequence()).toBeNull();
    await expect(host.importMedia("/a.mp4", "Tessera Media")).rejects.toThrow("No project is open");
  });
});

describe("PremiereHost imports into the Tessera Media bin", () => {
  test("makes the bin in one labelled step, passes it to importFiles, finds the item, reuses it the second time", async () => {
    const { fake, host } = setup();
    fake.engine.files.add("/out/clip_7_abc.mp4");
    const item = await host.importMedia("/out/clip_7_abc.mp4", "Tessera Media");
    expect(item).toMatchObject({ name: "clip_7_abc.mp4", path: "/out/clip_7_abc.mp4" });
    expect(fake.engine.undo).toEqual(['Tessera: create bin "Tessera Media"']);
    const bin = fake.project.root.items[0]!;
    expect(bin.name).toBe("Tessera Media");
    expect(fake.engine.importCalls).toEqual([{ paths: ["/out/clip_7_abc.mp4"], bin }]);
    const again = await host.importMedia("/out/clip_7_abc.mp4", "Tessera Media");
    expect(again.id).toBe(item.id);
    expect(fake.engine.importCalls).toHaveLength(1);
  });

  test("a reported success that imported nothing is an error naming the file", async () => {
    const { host } = setup();
    await expect(host.importMedia("/out/missing.mp4", "Tessera Media")).rejects.toThrow(/reported importing missing.mp4 but it is not in the "Tessera Media" bin/);
  });
});

describe("PremiereHost.applyEdit", () => {
  async function imported(s: ReturnType<typeof setup>) {
    s.fake.engine.files.add("/out/new.mp4");
    return s.host.importMedia("/out/new.mp4", "Tessera Media");
  }

  test("one undo step: trims handles with the item's In/Out, overwrites at the start, writes XMP and the column", async () => {
    const s = setup();
    const media = await imported(s);
    const placed = await s.host.applyEdit({
      label: 'Tessera: B-roll "harbour"',
      remove: [],
      place: { media, track: 1, start: f(48), sourceIn: f(12), sourceOut: f(12 + 72) },
      record,
    });
    expect(placed).toMatchObject({ name: "new.mp4", track: 1, start: f(48), end: f(120), inPoint: f(12), outPoint: f(84) });
    expect(s.fake.engine.undo.at(-1)).toBe('Tessera: B-roll "harbour"');
    expect(s.fake.engine.undo).toHaveLength(2); // the bin, then the edit
    const clip = (s.fake.project.root.items[0] as FakeBin).items[0] as FakeClip;
    expect(readTesseraXmp(clip.xmp)).toEqual(record);
    expect(clip.projectMetadata).toContain("premierePrivateProjectMetaData:Tessera");
    expect(clip.projectMetadata).toContain("harbour at &quot;dawn&quot; &amp; fog");
    expect(s.seqTracks()[0]).toHaveLength(2); // V1 untouched: nothing rippled
  });

  test("replacing removes the placeholder without ripple and keeps its track, start and length", async () => {
    const s = setup();
    const media = await imported(s);
    const [placeholder] = (await s.host.getSelection().then(() => s.host.getVideoTracks()))[0]!.clips.slice(1);
    const placed = await s.host.applyEdit({
      label: "Tessera: Replace",
      remove: [placeholder!],
      place: { media, track: 0, start: f(96), sourceIn: f(12), sourceOut: f(12 + 72) },
      record: null,
    });
    expect(placed).toMatchObject({ track: 0, start: f(96), end: f(168) });
    const names = s.seqTracks()[0]!.map((i) => i.data.name).sort();
    expect(names).toEqual(["Interview.mov", "new.mp4"]);
  });

  test("the track past the last makes a new track; further than that is refused before any change", async () => {
    const s = setup();
    const media = await imported(s);
    const placed = await s.host.applyEdit({ label: "Tessera: B-roll", remove: [], place: { media, track: 2, start: 0n, sourceIn: 0n, sourceOut: f(24) }, record: null });
    expect(placed.track).toBe(2);
    await expect(
      s.host.applyEdit({ label: "Tessera: B-roll", remove: [], place: { media, track: 9, start: 0n, sourceIn: 0n, sourceOut: f(24) }, record: null }),
    ).rejects.toThrow("There is no video track V10.");
  });

  test("a placeholder that moved is reported, not guessed", async () => {
    const s = setup();
    const media = await imported(s);
    const gone = { ...(await s.host.getVideoTracks())[0]!.clips[1]!, start: f(500) };
    await expect(s.host.applyEdit({ label: "Tessera: Replace", remove: [gone], place: { media, track: 0, start: f(96), sourceIn: 0n, sourceOut: f(72) }, record: null })).rejects.toThrow(
      'The clip "Placeholder" is no longer where it was.',
    );
    expect(s.fake.engine.undo).toHaveLength(1);
  });

  test("an edit Premiere reports done but that placed nothing is caught by reading back", async () => {
    const s = setup();
    const media = await imported(s);
    s.fake.engine.dropOverwrites = true;
    await expect(
      s.host.applyEdit({ label: "Tessera: B-roll", remove: [], place: { media, track: 1, start: 0n, sourceIn: 0n, sourceOut: f(24) }, record: null }),
    ).rejects.toThrow('Premiere reported "Tessera: B-roll" done, but no clip is on V2.');
  });

  test("a transaction Premiere rolls back is an error", async () => {
    const s = setup();
    const media = await imported(s);
    // media shorter than the asked In/Out: the transaction rolls back
    await expect(
      s.host.applyEdit({ label: "Tessera: B-roll", remove: [], place: { media, track: 1, start: 0n, sourceIn: 0n, sourceOut: f(100000) }, record: null }),
    ).rejects.toThrow('Premiere refused the edit "Tessera: B-roll".');
  });
});

describe("PremiereHost.applyEdit keeps to the tracks that exist and leaves the user's audio alone", () => {
  async function imported(s: ReturnType<typeof setup>, withAudio = false) {
    s.fake.engine.files.add("/out/new.mp4");
    if (withAudio) s.fake.engine.filesWithAudio.add("/out/new.mp4");
    return s.host.importMedia("/out/new.mp4", "Tessera Media");
  }
  const audioOf = (s: ReturnType<typeof setup>) => s.fake.project.sequence!.audioTracks.map((t) => t.items.map((i) => `${i.data.name}@${i.data.start}-${i.data.end}`));

  test("Replace takes out only the placeholder's video: its linked scratch audio stays", async () => {
    const s = setup();
    const seq = s.fake.project.sequence!;
    const placeholder = s.seqTracks()[0]![1]!;
    const scratch = seq.item({ ...placeholder.data, name: "Scratch VO" }, "audio");
    seq.audioTracks[0]!.items.push(scratch);
    placeholder.linked = [scratch];
    scratch.linked = [placeholder];
    const media = await imported(s);
    const [target] = (await s.host.getVideoTracks())[0]!.clips.slice(1);
    await s.host.applyEdit({ label: "Tessera: Replace", remove: [target!], place: { media, track: 0, start: f(96), sourceIn: 0n, sourceOut: f(72) }, record: null });
    expect(audioOf(s)[0]).toEqual([`Scratch VO@${f(96)}-${f(168)}`]);
  });

  test("media with audio goes to the first audio track that is empty under it, never over the dialogue on A1", async () => {
    const s = setup();
    const seq = s.fake.project.sequence!;
    const dialogue = new FakeClip(s.fake.engine, "Dialogue.wav", "/media/dialogue.wav", f(480), null);
    seq.audioTracks[0]!.items.push(seq.item({ name: "Dialogue.wav", start: 0n, end: f(400), inPoint: 0n, outPoint: f(400), clip: dialogue, speed: 1 }, "audio"));
    const media = await imported(s, true);
    await s.host.applyEdit({ label: "Tessera: B-roll", remove: [], place: { media, track: 1, start: f(48), sourceIn: 0n, sourceOut: f(24) }, record: null });
    expect(audioOf(s)).toEqual([[`Dialogue.wav@0-${f(400)}`], [`new.mp4@${f(48)}-${f(72)}`]]);
  });

  test("a file with sound lands its audio on the footage's audio track where that is empty under it", async () => {
    const fake = createFakePremiere({ audioTracks: 3 });
    const host = new PremiereHost(fake.ppro, { importWaitMs: 50 });
    const seq = fake.project.sequence!;
    const room = new FakeClip(fake.engine, "Room.wav", "/media/room.wav", f(480), null);
    seq.audioTracks[0]!.items.push(seq.item({ name: "Room.wav", start: 0n, end: f(400), inPoint: 0n, outPoint: f(400), clip: room, speed: 1 }, "audio"));
    fake.engine.files.add("/out/new.mp4");
    fake.engine.filesWithAudio.add("/out/new.mp4");
    const media = await host.importMedia("/out/new.mp4", "Tessera Media");
    const tracks = () => seq.audioTracks.map((t) => t.items.map((i) => `${i.data.name}@${i.data.start}-${i.data.end}`));
    // the footage's sound is on A3 and A3 is free there: the extension's sound continues on A3, not on A2
    await host.applyEdit({ label: "Tessera: Extend tail", remove: [], place: { media, track: 1, start: 0n, sourceIn: 0n, sourceOut: f(24), audioTrack: 2 }, record: null });
    expect(tracks()).toEqual([[`Room.wav@0-${f(400)}`], [], [`new.mp4@0-${f(24)}`]]);
    // its own track has sound there (A1's room tone): the first empty one instead, never over the user's audio
    await host.applyEdit({ label: "Tessera: Extend tail", remove: [], place: { media, track: 1, start: f(48), sourceIn: 0n, sourceOut: f(24), audioTrack: 0 }, record: null });
    expect(tracks()).toEqual([[`Room.wav@0-${f(400)}`], [`new.mp4@${f(48)}-${f(72)}`], [`new.mp4@0-${f(24)}`]]);
    // a track that does not exist (the extension raised past the last audio track) is never named
    await host.applyEdit({ label: "Tessera: Extend tail", remove: [], place: { media, track: 1, start: f(96), sourceIn: 0n, sourceOut: f(24), audioTrack: 7 }, record: null });
    expect(tracks()[1]).toEqual([`new.mp4@${f(48)}-${f(72)}`, `new.mp4@${f(96)}-${f(120)}`]);
  });

  test("sound with every audio track busy under it is refused before any change", async () => {
    const s = setup();
    const seq = s.fake.project.sequence!;
    const music = new FakeClip(s.fake.engine, "Music.wav", "/media/music.wav", f(4800), null);
    for (const track of seq.audioTracks) track.items.push(seq.item({ name: "Music.wav", start: 0n, end: f(2000), inPoint: 0n, outPoint: f(2000), clip: music, speed: 1 }, "audio"));
    const before = { video: s.seqTracks().map((t) => t.map((i) => i.data.name)), audio: audioOf(s) };
    const media = await imported(s, true);
    const undo = s.fake.engine.undo.length;
    await expect(
      s.host.applyEdit({ label: "Tessera: Extend tail", remove: [], place: { media, track: 1, start: f(48), sourceIn: 0n, sourceOut: f(24), audioTrack: 0 }, record: null }),
    ).rejects.toThrow(/Every audio track has sound under the new clip/);
    expect(s.fake.engine.undo).toHaveLength(undo);
    expect({ video: s.seqTracks().map((t) => t.map((i) => i.data.name)), audio: audioOf(s) }).toEqual(before);
  });

  test("a new track above is made by the documented insert past the last tracks; nothing the user has moves", async () => {
    const s = setup();
    const seq = s.fake.project.sequence!;
    const music = new FakeClip(s.fake.engine, "Music.wav", "/media/music.wav", f(4800), null);
    for (const track of seq.audioTracks) track.items.push(seq.item({ name: "Music.wav", start: 0n, end: f(2000), inPoint: 0n, outPoint: f(2000), clip: music, speed: 1 }, "audio"));
    const before = { video: s.seqTracks().map((t) => t.map((i) => i.data.start)), audio: audioOf(s) };
    const media = await imported(s, true);
    const placed = await s.host.applyEdit({ label: "Tessera: B-roll", remove: [], place: { media, track: 2, start: f(48), sourceIn: 0n, sourceOut: f(24) }, record: null });
    expect(placed).toMatchObject({ track: 2, start: f(48), end: f(72) });
    expect(s.seqTracks().slice(0, 2).map((t) => t.map((i) => i.data.start))).toEqual(before.video);
    expect(audioOf(s).slice(0, 2)).toEqual(before.audio);
    expect(audioOf(s)[2]).toEqual([`new.mp4@${f(48)}-${f(72)}`]); // its own new audio track
  });

  test("a sequence without audio tracks is refused before any change (Premiere would place nothing)", async () => {
    const fake = createFakePremiere({ audioTracks: 0 });
    const host = new PremiereHost(fake.ppro, { importWaitMs: 50 });
    fake.engine.files.add("/out/new.mp4");
    const media = await host.importMedia("/out/new.mp4", "Tessera Media");
    await expect(host.applyEdit({ label: "Tessera: B-roll", remove: [], place: { media, track: 0, start: 0n, sourceIn: 0n, sourceOut: f(24) }, record: null })).rejects.toThrow(
      /no audio track/,
    );
    expect(fake.engine.undo).toEqual(['Tessera: create bin "Tessera Media"']);
  });

  test("a start between frames is found where Premiere snapped it (within half a frame)", async () => {
    const s = setup();
    const media = await imported(s);
    const placed = await s.host.applyEdit({ label: "Tessera: B-roll", remove: [], place: { media, track: 1, start: f(48) + 7n, sourceIn: 0n, sourceOut: f(24) }, record: null });
    expect(placed).toMatchObject({ track: 1, start: f(48), end: f(72) });
  });
});

describe("PremiereHost.applyEdit leaves no half-done step", () => {
  async function imported(s: ReturnType<typeof setup>) {
    s.fake.engine.files.add("/out/new.mp4");
    return s.host.importMedia("/out/new.mp4", "Tessera Media");
  }
  const clipOf = (s: ReturnType<typeof setup>) => (s.fake.project.root.items[0] as FakeBin).items[0] as FakeClip;

  test("a Replace Premiere refuses leaves the placeholder and the item as they were", async () => {
    const s = setup();
    const media = await imported(s);
    const [target] = (await s.host.getVideoTracks())[0]!.clips.slice(1);
    // media shorter than the asked In/Out: that action fails
    await expect(
      s.host.applyEdit({ label: "Tessera: Replace", remove: [target!], place: { media, track: 0, start: f(96), sourceIn: 0n, sourceOut: f(100000) }, record },
    )).rejects.toThrow('Premiere refused the edit "Tessera: Replace".');
    expect(s.seqTracks()[0]!.map((i) => i.data.name)).toEqual(["Interview.mov", "Placeholder"]);
    expect(clipOf(s).xmp).toBe("");
    expect([clipOf(s).markIn ?? 0n, clipOf(s).markOut ?? clipOf(s).durationTicks]).toEqual([0n, clipOf(s).durationTicks]);
  });

  test("an edit that placed nothing puts the item's In/Out and XMP back", async () => {
    const s = setup();
    const media = await imported(s);
    s.fake.engine.dropOverwrites = true;
    await expect(
      s.host.applyEdit({ label: "Tessera: B-roll", remove: [], place: { media, track: 1, start: 0n, sourceIn: f(12), sourceOut: f(36) }, record }),
    ).rejects.toThrow('Premiere reported "Tessera: B-roll" done, but no clip is on V2.');
    expect(readTesseraXmp(clipOf(s).xmp)).toBeNull();
    expect([clipOf(s).markIn, clipOf(s).markOut]).toEqual([0n, clipOf(s).durationTicks]);
  });

  test("an item whose In/Out Premiere will not read has it cleared after a failed edit", async () => {
    const s = setup();
    const media = await imported(s);
    clipOf(s).inOutReadable = false;
    s.fake.engine.dropOverwrites = true;
    await expect(s.host.applyEdit({ label: "Tessera: B-roll", remove: [], place: { media, track: 1, start: 0n, sourceIn: f(12), sourceOut: f(36) }, record: null })).rejects.toThrow(
      /no clip is on V2/,
    );
    expect([clipOf(s).markIn, clipOf(s).markOut]).toEqual([null, null]);
  });
});

describe("PremiereHost.renderFrames", () => {
  const folder = "/Volumes/Work/Edit/Tessera Media/.conditioning/j1";
  function rendering(fake: FakePremiere, made: string[] = []) {
    return new PremiereHost(fake.ppro, {
      makeFolder: async (p) => void made.push(p),
      fileExists: async (p) => fake.engine.files.has(p),
      frameWaitMs: 2000,
    });
  }

  test("exports PNG frames at tick times into the folder it makes, and returns the files Premiere 25.3+ wrote (name.png.png)", async () => {
    const { fake } = setup();
    const made: string[] = [];
    const paths = await rendering(fake, made).renderFrames([f(10), f(13)], folder);
    expect(made).toEqual([folder]);
    expect(paths).toEqual([`${folder}/frame_000.png.png`, `${folder}/frame_001.png.png`]);
    for (const p of paths ?? []) expect(fake.engine.files.has(p)).toBe(true);
    expect(fake.engine.exported.map((e) => [e.ticks, e.width, e.height])).toEqual([
      [f(10).toString(), 640, 360],
      [f(13).toString(), 640, 360],
    ]);
  });

  test("older Premiere's single extension is accepted too", async () => {
    const { fake } = setup();
    fake.engine.exportNaming = "as-given";
    expect(await rendering(fake).renderFrames([f(10)], folder)).toEqual([`${folder}/frame_000.png`]);
  });

  test("waits for a frame Windows writes after the call returns (1.5 s), and gives up on one that never comes", async () => {
    const { fake } = setup();
    fake.engine.exportDelayMs = 1500;
    const started = Date.now();
    const paths = await rendering(fake).renderFrames([f(10)], folder);
    expect(paths).toEqual([`${folder}/frame_000.png.png`]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1400);
    fake.engine.exportDelayMs = 60_000;
    const host = new PremiereHost(fake.ppro, { makeFolder: async () => undefined, fileExists: async (p) => fake.engine.files.has(p), frameWaitMs: 200 });
    expect(await host.renderFrames([f(20)], "/tmp/late")).toBeNull();
  });

  test("without a way to make folders or see files, or when export fails, it answers null (the workflow uses the media)", async () => {
    const { fake, host } = setup();
    expect(await host.renderFrames([0n], "/tmp/x")).toBeNull();
    expect(await new PremiereHost(fake.ppro, { makeFolder: async () => undefined }).renderFrames([0n], "/tmp/x")).toBeNull();
    fake.engine.canExport = false;
    expect(await rendering(fake).renderFrames([0n], "/tmp/x")).toBeNull();
  });
});
