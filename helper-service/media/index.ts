/**
 * Tessera's media layer: everything that touches ffmpeg. The helper service and the pipeline call only this file.
 *
 *   // 1. Plan: how many model frames, at which model size, for the sequence's exact frames + handles.
 *   const plan = conformPlan({ frames: 96, handles: 12, fps: { num: 24000, den: 1001 }, width: 1920, height: 1080 },
 *                            model.video);
 *   // plan.model = { width, height, fps, frames, windows }   plan.output = { frames: 120, fps, width, height, ... }
 *
 *   // 2. Encode: stream model frames in; ffmpeg retimes, scales and encodes to exactly plan.output.frames.
 *   const enc = await createEncoder({ format: "h264", out, fps: plan.output.fps, width: 1920, height: 1080,
 *                                     frames: plan.output.frames, source: plan.model, record, outputRoots });
 *   for (const frame of modelFrames) await enc.write(frame);   // RGB24, plan.model.width x height
 *   const result = await enc.finish();                          // verified, XMP + sidecar written, then renamed
 *   // on cancel/failure: await enc.abort()                     // nothing is left behind
 *
 *   // 3. Conditioning for extend / gap fill: frames next to the cut at the model's fps and size.
 *   const cond = await readSourceFrames({ path, inFrame, outFrame, at: "tail", count: 5,
 *                                         fps: plan.model.fps, width: plan.model.width, height: plan.model.height });
 *
 *   // 4. Probe, provenance read-back, doctor.
 *   const info = await probe(await resolveMediaPath(path, "video", policy));
 *   const rec = await readRecord(result.path);
 *   const report = await doctorMedia();
 *
 * Errors are TesseraError with codes from shared/errors.ts: E_PATH_REFUSED, E_MEDIA_UNSUPPORTED, E_MEDIA_CORRUPT,
 * E_ENCODE, E_FFMPEG_MISSING, E_BAD_REQUEST, E_DURATION, E_CANCELLED.
 */
export { locateMediaTools, locateTool, type LocateOptions, type MediaTools, type ToolLocation } from "./binaries.js";
export { c2paAvailability, type C2paConfig, type C2paOutcome } from "./c2pa.js";
export {
  chooseModelSize,
  conformFilters,
  conformPlan,
  modelFramesFor,
  planWindows,
  type ConformPlan,
  type ConformTarget,
  type FitMode,
  type FrameSize,
  type ModelVideo,
  type RetimeMode,
} from "./conform.js";
export { doctorMedia, MediaDoctorReportSchema, type MediaDoctorReport } from "./doctor.js";
export { createEncoder, removeStalePartials, type EncodeResult, type Encoder, type EncoderOptions } from "./encode.js";
export {
  closeMetadata,
  DIGITAL_SOURCE_TYPE,
  readEmbeddedMetadata,
  readRecord,
  SidecarSchema,
  sidecarPath,
  type RecordReadout,
} from "./metadata.js";
export { checkOutputPath, checkPathText, resolveMediaPath, type PathPolicy } from "./paths.js";
export { probe, type MediaInfo, type ProbeOptions } from "./probe.js";
export { runningToolCount } from "./process.js";
export { readRenderedFrames, type RenderedFrames, type RenderedFramesRequest } from "./rendered-frames.js";
export { readSourceFrames, sourceFrameIndices, type Placement, type SourceFrames, type SourceFramesRequest } from "./source-frames.js";
