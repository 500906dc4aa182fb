// host.jsx is ExtendScript, which is ES3: it must parse as ES3 and use no global After Effects does not define
// (ExtendScript has no JSON object, for one). ESLint's parser checks both.
import { Linter } from "eslint";
import { HOST_JSX } from "./fakes/after-effects.js";

const AE_GLOBALS = ["app", "CompItem", "FootageItem", "FolderItem", "AVLayer", "FileSource", "SolidSource", "PlaceholderSource", "ImportOptions", "File", "Folder"];

function lintEs3(source: string): Linter.LintMessage[] {
  const linter = new Linter({ configType: "flat" });
  return linter.verify(source, {
    languageOptions: {
      ecmaVersion: 3,
      sourceType: "script",
      globals: Object.fromEntries(["String", "isFinite", ...AE_GLOBALS].map((name) => [name, "readonly" as const])),
    },
    rules: { "no-undef": "error", "no-unused-vars": ["error", { vars: "local", caughtErrors: "none" }], "no-redeclare": "error" },
  });
}

describe("host.jsx as ExtendScript", () => {
  test("parses as ES3 and uses only globals ExtendScript in After Effects provides", () => {
    expect(lintEs3(HOST_JSX).map((m) => `${m.line}:${m.column} ${m.message}`)).toEqual([]);
  });

  test.each([
    ["a trailing comma in an object", "var a = { b: 1, };"],
    ["let", "let a = 1;"],
    ["an arrow function", "var f = () => 1;"],
    ["a reserved word as a property", "var a = {}; a.default = 1;"],
    ["the JSON object", "var a = JSON.stringify({});"],
  ])("the same check refuses %s", (_what, source) => {
    expect(lintEs3(source).length).toBeGreaterThan(0);
  });

  test("declares one global, tesseraCall, and nothing else", () => {
    const topLevel = HOST_JSX.split("\n").filter((line) => /^(var|function)\s/.test(line));
    expect(topLevel).toEqual(["var tesseraCall = (function () {"]);
  });
});
