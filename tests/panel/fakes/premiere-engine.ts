// The rule engine of the fake premierepro module: the lock, transactions, undo labels, tick-string times.
import type {
  Action,
  CompoundAction,
  TickTime,
} from "@adobe/premierepro";

export class RuleViolation extends Error {
  override readonly name = "RuleViolation";
}

export const TYPE = { CLIP: 1, BIN: 2, ROOT: 3 } as const;
export const TRACK_ITEM_CLIP = 1;

// -- engine: the lock, the open transaction, the undo list ---------------------------------------------------------

export class Engine {
  inLock = false;
  transaction: FakeCompound | null = null;
  readonly undo: string[] = [];
  /** Files on disk; frame exports land here after `exportDelayMs`. */
  readonly files = new Set<string>();
  /** Files whose media carries an audio stream (imported clips get audio then). */
  readonly filesWithAudio = new Set<string>();
  readonly importCalls: { paths: string[]; bin: unknown }[] = [];
  readonly exported: { ticks: string; filename: string; folder: string; width: number; height: number }[] = [];
  readonly schema: string[] = [];
  canExport = true;
  /** Premiere 25.3+ writes "name.png" as "name.png.png"; "as-given" is the older behaviour. */
  exportNaming: "doubled" | "as-given" = "doubled";
  /** Windows writes the exported frame this long after exportSequenceFrame resolves true. */
  exportDelayMs = 0;
  /** Premiere's reported quirk: an overwrite that "succeeds" and places nothing. */
  dropOverwrites = false;

  violate(message: string): never {
    throw new RuleViolation(message);
  }

  action(what: string, apply: () => void): Action {
    if (!this.inLock) this.violate(`${what} was created outside project.lockedAccess (Premiere 26.3 rule)`);
    return new FakeAction(what, apply) as unknown as Action;
  }
}

export class FakeAction {
  constructor(
    readonly what: string,
    readonly apply: () => void,
  ) {}
}

export class FakeCompound implements Pick<CompoundAction, "addAction" | "empty"> {
  readonly actions: FakeAction[] = [];
  open = true;
  constructor(private readonly engine: Engine) {}
  addAction(action: Action): boolean {
    if (!this.open) this.engine.violate("addAction after the transaction ended (was something awaited inside?)");
    if (!(action instanceof FakeAction)) this.engine.violate("addAction takes an action made by a create*Action call");
    this.actions.push(action);
    return true;
  }
  get empty(): boolean {
    return this.actions.length === 0;
  }
}

export const isThenable = (v: unknown) => typeof (v as { then?: unknown } | null)?.then === "function";

// -- time ----------------------------------------------------------------------------------------------------------

export class FakeTickTime {
  constructor(readonly value: bigint) {}
  get ticks(): string {
    return this.value.toString();
  }
  get ticksNumber(): number {
    return Number(this.value);
  }
  get seconds(): number {
    return Number(this.value) / 254016000000;
  }
  equals(other: TickTime): boolean {
    return other.ticks === this.ticks;
  }
}
export const tick = (value: bigint): TickTime => new FakeTickTime(value) as unknown as TickTime;
export function ticksOf(engine: Engine, time: TickTime): bigint {
  if (!(time instanceof FakeTickTime)) engine.violate("times must be TickTime objects made from tick strings");
  return time.value;
}

