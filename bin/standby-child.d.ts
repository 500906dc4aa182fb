import type { ChildProcess, ForkOptions } from "node:child_process";
/** How the helper forks its inference child, standby or not. */
export declare function childForkOptions(execArgv: string[]): ForkOptions;
/** The command-line argument of a child started in standby. */
export declare const STANDBY_ARG: string;
/** Forks `file` in standby; it does not keep this process alive until adopted. */
export declare function startStandbyChild(file: string): ChildProcess;
/** The standby child for `file`, if one is waiting and alive; it is then this caller's. */
export declare function takeStandbyChild(file: string): ChildProcess | undefined;
/** Commands that run a job in an inference child of their own. */
export declare const JOB_COMMANDS: Set<string>;
/** Runs the bundled command line at `entry` (dist/helper/cli.mjs) for `command`, a job's child started first. */
export declare function runBundle(entry: string, command: string | undefined): Promise<void>;
