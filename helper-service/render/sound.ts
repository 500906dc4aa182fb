/**
 * The sound track of a job: where the footage next to the new frames keeps its audio, and the audio bed that
 * continues it under them (media/audio-bed.ts). Media conditioning sources are their own audio sources; frames
 * rendered from the sequence carry none, so the panel names the media in `audioSources`.
 */
import { toErrorBody } from "../../shared/errors.js";
import type { AudioSource, GenerationRecord, GenerationRequest } from "../../shared/protocol.js";
import { framesToSeconds } from "../../shared/time.js";
import { buildAudioBed, type AudioBed, type AudioSide } from "../media/audio-bed.js";
import type { MediaTools } from "../media/binaries.js";
import { locateMediaTools, probe, resolveMediaPath, type ConformPlan } from "../media/index.js";
import type { RenderHooks, RenderJob } from "./generator.js";
import { outputFolderOf } from "./output-files.js";

type Side = "before" | "after";

/** The footage whose audio a request continues, per side; empty when it asks for none. */
export function audioSourcesOf(request: GenerationRequest): Partial<Record<Side, AudioSource>> {
  if (request.audio === "none") return {};
  const sources: Partial<Record<Side, AudioSource>> = {};
  for (const side of ["before", "after"] as const) {
    const conditioning = request.conditioning?.[side];
    const source = request.audioSources?.[side] ?? (conditioning?.kind === "media" ? conditioning : undefined);
    if (source) sources[side] = { path: source.path, inFrame: source.inFrame, outFrame: source.outFrame };
  }
  return sources;
}

async function sideOf(source: AudioSource | undefined, signal: AbortSignal): Promise<AudioSide | undefined> {
  if (!source) return undefined;
  const path = await resolveMediaPath(source.path, "video");
  const info = await probe(path, { signal });
  // Frame numbers of the file's own video, as seconds after the file's start (what ffmpeg's -ss counts).
  const offset = info.startSeconds - info.containerStartSeconds;
  return { path, fromSeconds: offset + framesToSeconds(source.inFrame, info.fps), toSeconds: offset + framesToSeconds(source.outFrame, info.fps) };
}

export interface SoundContext {
  request: GenerationRequest;
  /** Handles of the output file on each side of the requested frames. */
  handles: number;
  /** Temp files go here (the output folder). */
  workDir: string;
  tools: MediaTools;
  signal: AbortSignal;
  notice(message: string): void;
}

/** The audio bed for the job's file, or null when the footage has no audio (or none was asked for). */
export async function soundFor(ctx: SoundContext): Promise<AudioBed | null> {
  const { request, handles } = ctx;
  const sources = audioSourcesOf(request);
  if (!sources.before && !sources.after) return null;
  if (request.output.format === "png") {
    ctx.notice("A PNG sequence has no sound track: the footage's audio was not continued. Choose H.264 or ProRes for sound.");
    return null;
  }
  // Footage whose sound cannot be read (moved, corrupt, refused) costs the clip its sound, not the clip.
  const readable = (source: AudioSource | undefined) =>
    sideOf(source, ctx.signal).catch((error: unknown) => {
      if (ctx.signal.aborted) throw error;
      ctx.notice(`The sound of ${source?.path} could not be read (${toErrorBody(error).message}); the new clip has no sound.`);
      return undefined;
    });
  const [before, after] = await Promise.all([readable(sources.before), readable(sources.after)]);
  if (!before && !after) return null;
  return buildAudioBed({
    ...(before ? { before } : {}),
    ...(after ? { after } : {}),
    totalSeconds: framesToSeconds(request.frames + 2 * handles, request.fps),
    cutIn: framesToSeconds(handles, request.fps),
    cutOut: framesToSeconds(handles + request.frames, request.fps),
    workDir: ctx.workDir,
    tools: ctx.tools,
    signal: ctx.signal,
    onSkip: ctx.notice,
  });
}

/**
 * The audio bed of a job on any engine (the sound comes from the footage, not the model), with what was continued
 * written into the record. Warnings go to the job's notices.
 */
export async function jobSound(job: RenderJob, plan: ConformPlan, record: GenerationRecord, hooks: Pick<RenderHooks, "signal" | "onNotice">): Promise<AudioBed | null> {
  const { request } = job;
  const sound = await soundFor({
    request,
    handles: plan.output.handles,
    workDir: outputFolderOf(job),
    tools: locateMediaTools(),
    signal: hooks.signal,
    notice: (message) => hooks.onNotice?.("warning", message),
  });
  if (sound) record.audio = { mode: "extend", continued: sound.sides.map((s) => s.side) };
  else if (request.conditioning) record.audio = { mode: request.audio ?? "extend", continued: [] };
  return sound;
}
