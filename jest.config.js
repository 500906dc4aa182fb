// Tests are TypeScript compiled by swc to CommonJS (no ts-jest: it needs the TypeScript compiler API).
// Packages that ship only ESM are compiled too, so CommonJS tests can require them.
const esmOnly = ["env-paths", "is-safe-filename"];

export default {
  testEnvironment: "node",
  roots: ["<rootDir>/tests"],
  testMatch: ["**/*.test.ts", "**/*.test.tsx"],
  transform: {
    "^.+\\.(t|j)sx?$": [
      "@swc/jest",
      {
        jsc: {
          parser: { syntax: "typescript", tsx: true },
          transform: { react: { runtime: "automatic" } },
          target: "es2022",
        },
        module: { type: "commonjs" },
      },
    ],
  },
  transformIgnorePatterns: [`/node_modules/(?!(${esmOnly.join("|")})/)`],
  moduleNameMapper: { "^(\\.{1,2}/.*)\\.js$": "$1" },
  testTimeout: 30000,
  reporters: ["default", "<rootDir>/tests/support/summary-reporter.cjs"],
};
