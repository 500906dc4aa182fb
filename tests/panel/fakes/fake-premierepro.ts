/**
 * A strict stand-in for Premiere's `premierepro` module, typed by @adobe/premierepro so every method it offers has
 * the real signature. It enforces what the Premiere notes document (and what Tessera promises), throwing a
 * RuleViolation where Premiere would misbehave:
 *  - actions are created inside `project.lockedAccess` and applied only by `executeTransaction` (26.3 rule);
 *    nothing is awaited inside: a callback that returns a promise, or an action created after the lock ended, fails
 *  - every transaction has an undo label; a throwing action rolls the whole transaction back
 *  - TickTime only from tick strings (createWithTicks with a decimal string)
 *  - importFiles resolves to a boolean only, throws "Illegal Parameter type" for an undefined bin, and "succeeds"
 *    without importing anything for a path that does not exist (as reported for Premiere)
 *  - a selection made by createEmptySelection is dead once its callback returns ("The script object is no longer valid")
 *  - track indices are 0-based; an overwrite onto a video or audio track that does not exist reports success and
 *    places nothing (only insert makes tracks); media with audio overwrites the audio track it is given
 *  - no ripple: rippling removals are violations, and insert is allowed only onto new tracks with the shift limited
 *  - removing with MediaType.ANY takes the linked audio too
 *  - edits land on frame boundaries; a transaction whose later action fails leaves the earlier ones applied
 *  - a frame export writes "name.png.png" (25.3+) and the file appears only after `exportDelayMs`
 */
import type {
  Action,
  ClipProjectItem,
  FolderItem,
  FrameRate,
  Project,
  ProjectItem,
  Sequence,
  TickTime,
  TrackItemSelection,
  premierepro,
} from "@adobe/premierepro";
import { Engine, isThenable, tick, ticksOf, TRACK_ITEM_CLIP, TYPE } from "./premiere-engine.js";
import type { FakeClip } from "./premiere-items.js";
import { FakeProject } from "./premiere-items.js";
import { FakeEditor, FakeSelection, FakeSequence } from "./premiere-timeline.js";

export { RuleViolation } from "./premiere-engine.js";
export { FakeBin, FakeClip, FakeProject } from "./premiere-items.js";
export { FakeSequence, FakeTrackItem, FakeVideoItem } from "./premiere-timeline.js";

// -- the module ----------------------------------------------------------------------------------------------------

export interface FakePremiere {
  ppro: premierepro;
  engine: Engine;
  project: FakeProject;
  /** No project open from now on. */
  closeProject(): void;
}

export function createFakePremiere(options: { projectPath?: string; timebase?: string; tracks?: number; audioTracks?: number } = {}): FakePremiere {
  const engine = new Engine();
  const project = new FakeProject(engine, "Edit.prproj", options.projectPath ?? "/Volumes/Work/Edit/Edit.prproj");
  project.sequence = new FakeSequence(
    engine,
    "Sequence 01",
    options.timebase ?? "10594584000",
    { width: 1920, height: 1080 },
    options.tracks ?? 2,
    options.audioTracks ?? 2,
  );
  let active: FakeProject | null = project;

  const TickTimeStatic: Pick<premierepro["TickTime"], "createWithTicks" | "createWithSeconds" | "createWithFrameAndFrameRate"> = {
    createWithTicks(ticks: string): TickTime {
      if (typeof ticks !== "string" || !/^-?\d+$/.test(ticks)) engine.violate(`createWithTicks takes a decimal tick string, got ${String(ticks)}`);
      return tick(BigInt(ticks));
    },
    createWithSeconds(seconds: number): TickTime {
      return engine.violate(`seconds lose precision (${seconds}); make times from tick strings`);
    },
    createWithFrameAndFrameRate(frameCount: number, frameRate: FrameRate): TickTime {
      void frameRate;
      return engine.violate(`frame ${frameCount}: make times from tick strings`);
    },
  };
  const ProjectStatic: Pick<premierepro["Project"], "getActiveProject"> = {
    async getActiveProject() {
      return active as unknown as Project;
    },
  };
  const cast = <T>(kind: number, what: string) => (item: unknown): T => {
    if ((item as { type?: number } | null)?.type !== kind) throw new Error(`cannot cast to ${what}`);
    return item as T;
  };
  const ppro = {
    Project: ProjectStatic,
    TickTime: TickTimeStatic,
    ProjectItem: {
      cast: (item: unknown) => item as ProjectItem,
      TYPE_CLIP: TYPE.CLIP,
      TYPE_BIN: TYPE.BIN,
      TYPE_ROOT: TYPE.ROOT,
      TYPE_FILE: 4,
      TYPE_STYLE: 5,
      TYPE_COMPOUND: 6,
    } satisfies premierepro["ProjectItem"],
    ClipProjectItem: { cast: cast<ClipProjectItem>(TYPE.CLIP, "ClipProjectItem") } satisfies premierepro["ClipProjectItem"],
    FolderItem: {
      cast: (item: ProjectItem): FolderItem => {
        const type = (item as { type?: number }).type;
        if (type !== TYPE.BIN && type !== TYPE.ROOT) throw new Error("cannot cast to FolderItem");
        return item as unknown as FolderItem;
      },
    } satisfies premierepro["FolderItem"],
    TrackItemSelection: {
      createEmptySelection(callback0: (selection: TrackItemSelection) => void): boolean {
        const selection = new FakeSelection(engine);
        let result: unknown;
        try {
          result = callback0(selection as unknown as TrackItemSelection);
        } finally {
          selection.valid = false;
        }
        if (isThenable(result)) engine.violate("the createEmptySelection callback returned a promise: nothing may be awaited inside");
        return true;
      },
    } satisfies premierepro["TrackItemSelection"],
    SequenceEditor: {
      getEditor: (sequence: Sequence) => new FakeEditor(engine, sequence as unknown as FakeSequence) as unknown as ReturnType<premierepro["SequenceEditor"]["getEditor"]>,
    } satisfies Pick<premierepro["SequenceEditor"], "getEditor">,
    Metadata: {
      METADATA_TYPE_INTEGER: 0,
      METADATA_TYPE_REAL: 1,
      METADATA_TYPE_TEXT: 2,
      METADATA_TYPE_BOOLEAN: 3,
      async getXMPMetadata(projectItem: ProjectItem) {
        return (projectItem as unknown as FakeClip).xmp;
      },
      createSetXMPMetadataAction(projectItem: ProjectItem, metadata: string): Action {
        return engine.action("Metadata.createSetXMPMetadataAction", () => {
          (projectItem as unknown as FakeClip).xmp = metadata;
        });
      },
      createSetProjectMetadataAction(projectItem: ProjectItem, metadata: string, updatedFields: string[]): Action {
        return engine.action("Metadata.createSetProjectMetadataAction", () => {
          if (updatedFields.some((f) => !engine.schema.includes(f))) throw new Error("field not in the project metadata schema");
          (projectItem as unknown as FakeClip).projectMetadata = metadata;
        });
      },
      async addPropertyToProjectMetadataSchema(name: string, label: string, type: number) {
        void label;
        void type;
        if (!engine.schema.includes(name)) engine.schema.push(name);
        return true;
      },
    } satisfies Pick<
      premierepro["Metadata"],
      | "getXMPMetadata"
      | "createSetXMPMetadataAction"
      | "createSetProjectMetadataAction"
      | "addPropertyToProjectMetadataSchema"
      | "METADATA_TYPE_INTEGER"
      | "METADATA_TYPE_REAL"
      | "METADATA_TYPE_TEXT"
      | "METADATA_TYPE_BOOLEAN"
    >,
    Exporter: {
      async exportSequenceFrame(sequence: Sequence, time: TickTime, filename: string, filepath: string, width: number, height: number) {
        void sequence;
        engine.exported.push({ ticks: ticksOf(engine, time).toString(), filename, folder: filepath, width, height });
        if (!engine.canExport) return false;
        const ext = /\.(png|jpg|bmp|tif|tga|dpx|exr|gif)$/i.exec(filename)?.[1];
        if (!ext) return false;
        const written = `${filepath.replace(/[\\/]$/, "")}/${filename}${engine.exportNaming === "doubled" ? `.${ext}` : ""}`;
        if (engine.exportDelayMs > 0) setTimeout(() => engine.files.add(written), engine.exportDelayMs).unref();
        else engine.files.add(written);
        return true;
      },
    } satisfies premierepro["Exporter"],
    Constants: {
      TrackItemType: { EMPTY: 0, CLIP: TRACK_ITEM_CLIP, TRANSITION: 2, PREVIEW: 3, FEEDBACK: 4 },
      MediaType: { ANY: 0, DATA: 1, VIDEO: 2, AUDIO: 3 },
    },
  };
  return {
    ppro: ppro as unknown as premierepro,
    engine,
    project,
    closeProject: () => {
      active = null;
    },
  };
}

