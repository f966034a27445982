// Jest runs natively as ESM (better-auth, inngest and PGlite are ESM-only):
// NODE_OPTIONS=--experimental-vm-modules, @swc/jest for TypeScript, `.ts` treated as ESM.
const common = {
  testEnvironment: "node",
  extensionsToTreatAsEsm: [".ts", ".tsx"],
  moduleFileExtensions: ["ts", "tsx", "js", "mjs", "cjs", "json"],
  transform: {
    "^.+\\.(t|j)sx?$": [
      "@swc/jest",
      {
        jsc: {
          parser: { syntax: "typescript", tsx: true },
          target: "es2022",
          transform: { react: { runtime: "automatic" } },
        },
        module: { type: "es6" },
      },
    ],
  },
  transformIgnorePatterns: ["/node_modules/"],
  moduleNameMapper: { "^@/(.*)$": "<rootDir>/$1" },
  setupFiles: ["<rootDir>/tests/fixtures/jest-setup.ts"],
};

export default {
  projects: [
    { ...common, displayName: "unit", testMatch: ["<rootDir>/tests/unit/**/*.test.ts"] },
    {
      ...common,
      displayName: "integration",
      testMatch: ["<rootDir>/tests/integration/**/*.test.ts"],
    },
  ],
  // Integration suites start servers; run files one at a time on this 2-core machine.
  maxWorkers: 1,
  testTimeout: 120_000,
  // A handle left open by a library (an exporter, a pool, a timer) must not keep CI waiting after the
  // last suite: exit once results are written. Suites still close what they open in afterAll.
  forceExit: true,
};
