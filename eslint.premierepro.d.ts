// Types for eslint.premierepro.js, which eslint.config.js loads as plain JavaScript.
import type { Linter } from "eslint";

export declare const premiereproRules: { selector: string; message: string }[];
export declare function premiereproConfig(files: string[]): Linter.Config;
