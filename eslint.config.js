import js from "@eslint/js";
import globals from "globals";
import tseslint from "typescript-eslint";
import { premiereproConfig } from "./eslint.premierepro.js";

export default tseslint.config(
  {
    ignores: [
      "node_modules/",
      "dist/",
      "coverage/",
      "training/",
      "models/",
      "tests/fixtures/",
      "tests/e2e/screenshots/",
      "tmp/",
      ".gpu/",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": "error",
      eqeqeq: ["error", "always", { null: "ignore" }],
    },
  },
  premiereproConfig(["panel/host/premiere*.ts"]),
  {
    files: ["tests/**"],
    languageOptions: { globals: { ...globals.jest } },
  },
);
