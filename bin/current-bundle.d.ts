/** What the bundle is built from: an edit to any of these makes it stale. */
export declare const BUNDLE_SOURCES: string[];
/** The bundle's entry file when it is newer than every source under `root`, else null (run the sources). */
export declare function currentBundle(root: string, env?: Record<string, string | undefined>): string | null;
