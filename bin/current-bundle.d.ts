/** What the bundle is built from: an edit to any of these makes it stale. */
export declare const BUNDLE_SOURCES: string[];
/** The record of the sources a bundle was built from, written beside its entry files. */
export declare const SOURCES_RECORD: string;
/** Size and modification time of every source file, by path relative to `root`. */
export declare function sourceStamps(root: string): Record<string, string>;
/** The bundle's entry file when it was built from the sources under `root` as they are now, else null (run the sources). */
export declare function currentBundle(root: string, env?: Record<string, string | undefined>): string | null;
