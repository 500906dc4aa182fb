// Reading a layer stack as tracks, and choosing where in the stack a clip placed "on track t" goes.
import fc from "fast-check";
import { choosePosition, packTracks, resultingTrack, type Span } from "../../panel/host/aftereffects/tracks.js";

const span = (id: number, start: number, end: number): Span => ({ id, start: BigInt(start), end: BigInt(end) });
const ids = (tracks: Span[][]) => tracks.map((t) => t.map((s) => s.id));

describe("packTracks", () => {
  test("a sequenced run is one track; a layer over it starts the next; a full-length background is its own", () => {
    // top first: title over 25..35, shots 0..10, 10..20, 20..40 (top-first order), background 0..40
    const stack = [span(1, 25, 35), span(2, 0, 10), span(3, 10, 20), span(4, 20, 40), span(5, 0, 40)];
    expect(ids(packTracks(stack))).toEqual([[5], [2, 3, 4], [1]]);
  });

  test("every layer overlapping: one track per layer, bottom first", () => {
    expect(ids(packTracks([span(1, 0, 10), span(2, 0, 10), span(3, 5, 6)]))).toEqual([[3], [2], [1]]);
  });

  test("an empty comp has no tracks", () => {
    expect(packTracks([])).toEqual([]);
  });
});

describe("choosePosition", () => {
  test("fills between the neighbours in time, in the run's own order", () => {
    const topFirst = [span(1, 0, 10), span(2, 20, 30)];
    expect(choosePosition({ layers: topFirst, placed: span(-9, 10, 20), track: 0, remove: [], cuts: [] })).toEqual({ relation: "below", layer: 1 });
    const bottomFirst = [span(2, 20, 30), span(1, 0, 10)];
    expect(choosePosition({ layers: bottomFirst, placed: span(-9, 10, 20), track: 0, remove: [], cuts: [] })).toEqual({ relation: "above", layer: 1 });
  });

  test("a replaced layer's place in the stack is kept", () => {
    const stack = [span(1, 0, 10), span(2, 10, 20), span(3, 20, 30)];
    expect(choosePosition({ layers: stack, placed: span(-9, 10, 20), track: 0, remove: [2], cuts: [] })).toEqual({ relation: "above", layer: 2 });
  });

  test("never lets the new layer slip onto the track below", () => {
    // V1: layer 10 (0..50); V2: layers 20 (0..10) and 30 (40..50). At 60..70 V1 is free too, so a new layer under
    // 20, the bottom of V2's run, would be read as V1: only a place inside V2's run keeps it on V2.
    const stack = [span(30, 40, 50), span(20, 0, 10), span(10, 0, 50)];
    const edit = { layers: stack, placed: span(-9, 60, 70), track: 1, remove: [], cuts: [] };
    const position = choosePosition(edit);
    expect(resultingTrack(edit, position)).toBe(1);
  });

  test("property: whenever a track is free over the range, the chosen position keeps the clip on it", () => {
    const layerArb = fc.array(fc.tuple(fc.integer({ min: 0, max: 90 }), fc.integer({ min: 1, max: 30 })), { minLength: 1, maxLength: 8 });
    fc.assert(
      fc.property(layerArb, fc.integer({ min: 0, max: 100 }), fc.integer({ min: 1, max: 20 }), fc.nat(), (raw, start, length, pick) => {
        const layers = raw.map(([s, l], i) => span(i + 1, s, s + l));
        const tracks = packTracks(layers);
        const track = pick % tracks.length;
        const placed = span(-99, start, start + length);
        const free = !(tracks[track] ?? []).some((m) => m.start < placed.end && m.end > placed.start);
        fc.pre(free);
        const edit = { layers, placed, track, remove: [], cuts: [] };
        return resultingTrack(edit, choosePosition(edit)) === track;
      }),
      { numRuns: 300 },
    );
  });
});
