/**
 * The comp the After Effects harness opens: the harness sequence's shots as layers. 1920x1080 at 23.976, the
 * shots sequenced top-first as Keyframe Assistant > Sequence Layers leaves them (Interview A, a solid standing in
 * for the skyline, a gap, Street B, Harbour wide with free time after it), a title layer on top over Street and
 * Harbour, and the current time at frame 48. Without the built sample media the shots are missing footage.
 */
import { framesToSeconds } from "../../../shared/time.js";
import type { SimAfterEffects } from "../../host/aftereffects/simulated/app.js";
import type { CompItem, FootageItem, MediaProbe } from "../../host/aftereffects/simulated/items.js";
import { DEMO_FPS, type HarnessMedia } from "../demo.js";

export const DEMO_COMP_NAME = "Comp 1";
const s = (frames: number) => framesToSeconds(frames, DEMO_FPS);
const FPS = DEMO_FPS.num / DEMO_FPS.den;

/** What the simulated import reports for the harness's sample clips; other files (generated clips) get a minute. */
export function demoProbe(media: HarnessMedia | null): (path: string) => MediaProbe {
  return (path) => {
    const clip = media?.clips.find((c) => c.path === path);
    const fps = clip ? clip.fps.num / clip.fps.den : FPS;
    return { duration: clip ? clip.frames / fps : 60, frameRate: fps, width: 1920, height: 1080 };
  };
}

export function createDemoComp(ae: SimAfterEffects, media: HarnessMedia | null): CompItem {
  const project = ae.project;
  const comp = project.items.addComp(DEMO_COMP_NAME, 1920, 1080, 1, s(480), FPS);
  const footage = (key: string, name: string): FootageItem => {
    const clip = media?.clips.find((c) => c.key === key);
    if (!clip) {
      const missing = project.addPlaceholder(name, s(120), FPS, 1920, 1080);
      missing.footageMissing = true;
      return missing;
    }
    const item = project.importFile({ file: new ae.File(clip.path) });
    item.name = name;
    return item;
  };
  const layer = (item: FootageItem, from: number, to: number, sourceIn = 0) => {
    const added = comp.layers.add(item);
    added.startTime = s(from - sourceIn);
    added.inPoint = s(from);
    added.outPoint = s(to);
    return added;
  };
  // added bottom first: each new layer goes on top
  layer(footage("harbour", "Harbour wide.mp4"), 288, 360);
  layer(footage("street", "Street B.mp4"), 216, 288, 12);
  layer(project.addSolid("Placeholder: skyline at dusk", 1920, 1080), 96, 144);
  layer(footage("interview", "Interview A.mp4"), 0, 96);
  layer(project.addSolid("Title: Chapter 2", 1920, 1080), 240, 312);
  comp.time = s(48);
  project.activeItem = comp;
  return comp;
}
