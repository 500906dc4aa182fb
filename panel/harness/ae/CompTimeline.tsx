/**
 * The simulated comp as After Effects' Timeline panel draws it: one row per layer, layer 1 (the top of the stack)
 * first, each with its number, name and a bar from its in point to its out point; a time ruler that moves the
 * current time. Click selects a layer, Shift-click adds one; each row's Lock button locks the layer, as the
 * padlock does in After Effects.
 */
import type { MouseEvent } from "react";
import { formatTimecode, frameRateLabel, secondsToFrames, framesToSeconds, type FrameRate } from "../../../shared/time.js";
import type { SimAfterEffects } from "../../host/aftereffects/simulated/app.js";
import type { CompItem } from "../../host/aftereffects/simulated/items.js";
import type { AVLayer } from "../../host/aftereffects/simulated/layers.js";
import { selectable } from "../selectable.js";
import { useSim, type SimWatcher } from "./watch.js";

interface RowProps {
  comp: CompItem;
  layer: AVLayer;
  fps: FrameRate;
  total: number;
  select: (layer: AVLayer, additive: boolean) => void;
  toggleLock: (layer: AVLayer) => void;
}

function LayerRow({ comp, layer, fps, total, select, toggleLock }: RowProps) {
  const frame = (seconds: number) => secondsToFrames(seconds, fps, "round");
  const left = (layer.inPoint / total) * 100;
  const width = ((layer.outPoint - layer.inPoint) / total) * 100;
  const generated = layer.comment.startsWith("Tessera");
  return (
    <li
      className={`ae-layer${layer.selected ? " is-selected" : ""}`}
      aria-selected={layer.selected}
      aria-label={layer.name}
      data-index={layer.index}
      data-in-frame={frame(layer.inPoint)}
      data-out-frame={frame(layer.outPoint)}
      data-start-frame={frame(layer.startTime)}
      {...selectable((add) => select(layer, add))}
    >
      <span className="ae-layer__num">{layer.index}</span>
      <span className="ae-layer__name">{layer.name}</span>
      <span className="ae-layer__lane">
        <span className={`ae-layer__bar${generated ? " ae-layer__bar--generated" : ""}`} style={{ left: `${left}%`, width: `${width}%` }}>
          {frame(layer.outPoint) - frame(layer.inPoint)} f
        </span>
      </span>
      <button
        type="button"
        className={`ae-layer__lock${layer.locked ? " is-locked" : ""}`}
        aria-label={`${layer.locked ? "Unlock" : "Lock"} ${layer.name}`}
        aria-pressed={layer.locked}
        onClick={(e) => {
          e.stopPropagation();
          toggleLock(layer);
        }}
      >
        {layer.locked ? "Locked" : "Lock"}
      </button>
      {comp.time >= layer.inPoint && comp.time < layer.outPoint ? <span className="ae-layer__now" aria-hidden="true" /> : null}
    </li>
  );
}

export function CompTimeline({ ae, comp, fps, watcher }: { ae: SimAfterEffects; comp: CompItem; fps: FrameRate; watcher: SimWatcher }) {
  useSim(watcher);
  const total = comp.duration;
  const now = secondsToFrames(comp.time, fps, "floor");
  const change = (action: () => void) => {
    action();
    watcher.check();
  };
  const select = (layer: AVLayer, additive: boolean) =>
    change(() => {
      const next = additive ? !layer.selected : true;
      if (!additive) for (const other of comp.stack) other.selected = false;
      layer.selected = next;
    });
  const toggleLock = (layer: AVLayer) =>
    change(() => {
      layer.locked = !layer.locked;
    });
  const moveTo = (e: MouseEvent<HTMLDivElement>) => {
    const box = e.currentTarget.getBoundingClientRect();
    const ratio = Math.min(1, Math.max(0, (e.clientX - box.left) / box.width));
    change(() => {
      comp.time = framesToSeconds(Math.round(secondsToFrames(total, fps, "floor") * ratio), fps);
    });
  };
  const lastUndo = ae.app.undoHistory[ae.app.undoHistory.length - 1]?.label;
  return (
    <section className="ae-tl" aria-label="Timeline">
      <header className="ae-tl__head">
        <span className="ae-tl__name">{comp.name}</span>
        <span className="ae-tl__tc" aria-label="Current time">
          {formatTimecode(now, fps)}
        </span>
        <span className="ae-tl__meta">
          {comp.width}×{comp.height} · {frameRateLabel(fps)} fps · {comp.numLayers} layers
        </span>
        <button type="button" className="btn btn--quiet ae-tl__undo" disabled={!lastUndo} onClick={() => change(() => ae.app.undo())}>
          {lastUndo ? `Undo ${lastUndo}` : "Undo"}
        </button>
      </header>
      <div className="ae-tl__ruler" onClick={moveTo} role="presentation">
        <span className="ae-tl__cti" style={{ left: `${(comp.time / total) * 100}%` }} role="img" aria-label={`Current time at frame ${now}`} data-frame={now} />
      </div>
      <ul className="ae-tl__layers" aria-label="Layers">
        {comp.stack.map((layer) => (
          <LayerRow key={layer.id} comp={comp} layer={layer} fps={fps} total={total} select={select} toggleLock={toggleLock} />
        ))}
      </ul>
    </section>
  );
}
