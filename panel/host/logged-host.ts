// An EditorHost that reports its edits, imports, frame renders and failures to the panel log; reads pass through
// unlogged (the panel polls them twice a second).
import { termsOf, type EditorHost } from "./editor-host.js";

const errorText = (error: unknown) => (error instanceof Error ? `${error.name}: ${error.message}` : String(error));

export function loggedHost(host: EditorHost, log: (text: string) => void): EditorHost {
  async function logged<T>(what: string, call: () => Promise<T>, done: (value: T) => string): Promise<T> {
    const started = Date.now();
    try {
      const value = await call();
      log(`${what}: ${done(value)} (${Date.now() - started} ms)`);
      return value;
    } catch (error) {
      log(`${what} failed after ${Date.now() - started} ms: ${errorText(error)}`);
      throw error;
    }
  }
  const track = (index: number) => termsOf(host).trackName(index);
  const wrapped: EditorHost = {
    name: host.name,
    ...(host.terms ? { terms: host.terms } : {}),
    getProject: () => host.getProject(),
    getSequence: () => host.getSequence(),
    getSelection: () => host.getSelection(),
    getVideoTracks: () => host.getVideoTracks(),
    renderFrames: (times, folder) =>
      logged(`render ${times.length} frames into ${folder}`, () => host.renderFrames(times, folder), (paths) =>
        paths ? paths.join(", ") : "not rendered, the source media is used",
      ),
    importMedia: (path, bin) => logged(`import ${path} into "${bin}"`, () => host.importMedia(path, bin), (item) => `item ${item.id}`),
    applyEdit: (edit) =>
      logged(
        `${edit.label} on ${track(edit.place.track)} at ${edit.place.start} ticks, removing ${edit.remove.length}`,
        () => host.applyEdit(edit),
        (clip) => `placed "${clip.name}" on ${track(clip.track)} ${clip.start}-${clip.end}`,
      ),
    subscribe: (listener) => host.subscribe(listener),
  };
  if (host.saveLog) wrapped.saveLog = (name, text) => host.saveLog!(name, text);
  return wrapped;
}
