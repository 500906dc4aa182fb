import { HostError } from "../../panel/host/editor-host.js";
import { baseName, dirName, joinPath, mediaFolderFor, samePath } from "../../panel/host/paths.js";
import { clipNamed, demoHost, f } from "./support.js";

describe("SimulatedHost keeps Premiere's editing semantics", () => {
  test("an overwrite splits the clip it lands inside and moves nothing else", async () => {
    const host = demoHost();
    const media = await host.importMedia("/out/a.mp4", "Tessera Media");
    await host.applyEdit({ label: "Tessera: B-roll", remove: [], place: { media, track: 0, start: f(24), sourceIn: f(12), sourceOut: f(36) }, record: null });
    const v1 = host.clipsOn(0).map((c) => [c.name, Number(c.start / f(1)), Number(c.end / f(1))]);
    expect(v1).toEqual([
      ["Interview A.mp4", 0, 24],
      ["a.mp4", 24, 48],
      ["Interview A.mp4", 48, 96],
      ["Placeholder: skyline", 96, 168],
      ["Street B.mp4", 216, 288],
      ["Harbour wide.mp4", 288, 360],
    ]);
    // the right part continues the source where it was cut
    expect(host.clipsOn(0)[2]!.inPoint).toBe(f(12 + 48));
  });

  test("removing a placeholder leaves the gap: nothing ripples", async () => {
    const host = demoHost();
    const media = await host.importMedia("/out/a.mp4", "Tessera Media");
    const placeholder = clipNamed(host, "Placeholder: skyline");
    await host.applyEdit({ label: "Tessera: Replace", remove: [placeholder], place: { media, track: 1, start: 0n, sourceIn: 0n, sourceOut: f(10) }, record: null });
    expect(host.clipsOn(0).map((c) => c.name)).toEqual(["Interview A.mp4", "Street B.mp4", "Harbour wide.mp4"]);
    expect(clipNamed(host, "Street B.mp4").start).toBe(f(216));
  });

  test("importing the same file twice reuses the item", async () => {
    const host = demoHost();
    const a = await host.importMedia("/out/a.mp4", "Tessera Media");
    const b = await host.importMedia("/out/a.mp4", "Tessera Media");
    expect(b).toBe(a);
    expect(host.importCounts.get("/out/a.mp4")).toBe(1);
    expect(a.name).toBe("a.mp4");
  });

  test("track indices are 0-based; one past the last adds a track, further is an error", async () => {
    const host = demoHost();
    const media = await host.importMedia("/out/a.mp4", "Tessera Media");
    const placed = await host.applyEdit({ label: "x", remove: [], place: { media, track: 2, start: 0n, sourceIn: 0n, sourceOut: f(5) }, record: null });
    expect(placed.track).toBe(2);
    expect((await host.getVideoTracks()).map((t) => t.name)).toEqual(["V1", "V2", "V3"]);
    await expect(host.applyEdit({ label: "x", remove: [], place: { media, track: 5, start: 0n, sourceIn: 0n, sourceOut: f(5) }, record: null })).rejects.toThrow(HostError);
  });

  test("each edit is one undo step with its label, and undo restores the sequence", async () => {
    const host = demoHost();
    const before = host.clipsOn(0).map((c) => c.name);
    const media = await host.importMedia("/out/a.mp4", "Tessera Media");
    await host.applyEdit({ label: "Tessera: Replace", remove: [clipNamed(host, "Placeholder: skyline")], place: { media, track: 0, start: f(96), sourceIn: 0n, sourceOut: f(72) }, record: null });
    expect(host.undoLabels).toEqual(["Tessera: Replace"]);
    expect(host.undo()).toBe("Tessera: Replace");
    expect(host.clipsOn(0).map((c) => c.name)).toEqual(before);
    expect(host.canUndo()).toBe(false);
  });

  test("selection follows clicks; a clip an overwrite removes leaves the selection", async () => {
    const host = demoHost();
    const street = clipNamed(host, "Street B.mp4");
    host.toggleSelected(street.id, false);
    host.toggleSelected(clipNamed(host, "Harbour wide.mp4").id, true);
    expect((await host.getSelection()).map((c) => c.name)).toEqual(["Street B.mp4", "Harbour wide.mp4"]);
    const media = await host.importMedia("/out/a.mp4", "B");
    await host.applyEdit({ label: "x", remove: [], place: { media, track: 0, start: f(216), sourceIn: 0n, sourceOut: f(72) }, record: null });
    expect((await host.getSelection()).map((c) => c.name)).toEqual(["Harbour wide.mp4"]);
    expect(() => host.select(["nope"])).toThrow(HostError);
  });

  test("subscribers hear about every change", () => {
    const host = demoHost();
    const heard: number[] = [];
    const off = host.subscribe(() => heard.push(host.version));
    host.setPlayhead(f(10));
    host.setInOut(f(10), f(20));
    off();
    host.setPlayhead(f(11));
    expect(heard).toHaveLength(2);
  });
});

describe("panel path helpers work on Windows and POSIX paths", () => {
  test.each([
    ["/Volumes/Work/Edit/Edit.prproj", "/Volumes/Work/Edit/Tessera Media"],
    ["C:\\Edit\\Cut 3.prproj", "C:\\Edit\\Tessera Media"],
    [null, null],
  ])("media folder next to %s", (project, folder) => {
    expect(mediaFolderFor(project)).toBe(folder);
  });

  test("names, folders, joins and comparisons", () => {
    expect(baseName("C:\\a\\b.mp4")).toBe("b.mp4");
    expect(dirName("/a.prproj")).toBe("/");
    expect(joinPath("/x/", "y", "z")).toBe("/x/y/z");
    expect(samePath("C:\\Edit\\A.MP4", "c:/edit/a.mp4")).toBe(true);
    expect(samePath("/a/b.mp4", "/a/c.mp4")).toBe(false);
  });
});
