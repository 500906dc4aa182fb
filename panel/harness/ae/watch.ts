// The simulated After Effects has no change events (neither has ExtendScript): the harness page re-renders when a
// cheap fingerprint of the comp and project changes, checked a few times a second and after each click.
import { useSyncExternalStore } from "react";
import type { SimAfterEffects } from "../../host/aftereffects/simulated/app.js";
import { CompItem } from "../../host/aftereffects/simulated/items.js";

export function fingerprint(ae: SimAfterEffects): string {
  const comp = ae.project.activeItem;
  const layers = comp instanceof CompItem ? comp.stack.map((l) => `${l.id}:${l.inPoint}:${l.outPoint}:${l.selected}:${l.locked}`) : [];
  const time = comp instanceof CompItem ? comp.time : -1;
  return `${time}|${layers.join(",")}|${ae.project.allItems.length}|${ae.app.undoHistory.length}`;
}

export class SimWatcher {
  private version = 0;
  private last = "";
  private readonly listeners = new Set<() => void>();
  private timer: ReturnType<typeof setInterval> | null = null;

  constructor(private readonly ae: SimAfterEffects) {}

  /** Re-renders now if anything changed (called after the page itself changed the comp). */
  check = (): void => {
    const next = fingerprint(this.ae);
    if (next === this.last) return;
    this.last = next;
    this.version++;
    for (const listener of [...this.listeners]) listener();
  };

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    this.timer ??= setInterval(this.check, 100);
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0 && this.timer) {
        clearInterval(this.timer);
        this.timer = null;
      }
    };
  };

  snapshot = (): number => this.version;
}

export function useSim(watcher: SimWatcher): number {
  return useSyncExternalStore(watcher.subscribe, watcher.snapshot);
}
