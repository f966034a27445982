// `npm test`: the whole suite — typecheck, jest (unit + integration, native ESM) and Playwright (e2e) —
// then one closing line `N passed, N failed` counted from the runners' own JSON results.
// Integration suites run on embedded PGlite, and also on the server at TEST_DATABASE_URL when set.
// `npm test -- --skip-e2e` leaves out the browser suite.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { z } from "zod";

const skipE2e = process.argv.includes("--skip-e2e") || process.env.SKIP_E2E === "1";
const resultsDir = path.resolve("test-results");
mkdirSync(resultsDir, { recursive: true });
const env = { ...process.env, NEXT_TELEMETRY_DISABLED: "1" };
let passed = 0;
let failed = 0;
let skipped = 0;

/** Wall-clock ceilings per step (ms), so one hung runner fails the run with a message instead of
 * eating CI's 90 minutes. Today: typecheck ~1 min, jest ~26 min, Playwright ~10 min on 2 cores. */
const STEP_TIMEOUT_MS = { typecheck: 10 * 60_000, audit: 60_000, jest: 55 * 60_000, playwright: 25 * 60_000 } as const;

function step(name: keyof typeof STEP_TIMEOUT_MS, cmd: string, args: string[], extraEnv: Record<string, string> = {}): number {
  console.log(`\n=== ${name}: ${cmd} ${args.join(" ")}`);
  const timeout = STEP_TIMEOUT_MS[name];
  const r = spawnSync(cmd, args, { stdio: "inherit", env: { ...env, ...extraEnv }, timeout, killSignal: "SIGKILL" });
  if (r.error && (r.error as NodeJS.ErrnoException).code === "ETIMEDOUT") {
    console.log(`=== ${name} did not finish within ${timeout / 60_000} min and was killed`);
    return 1;
  }
  const code = r.status ?? 1;
  console.log(`=== ${name} exited with ${r.signal ? `signal ${r.signal}` : `code ${code}`}`);
  return code;
}

// 1. Types
if (step("typecheck", "node_modules/.bin/tsc", ["--noEmit"]) === 0) passed += 1;
else failed += 1;

// 1b. Dependency audit: a report only (scripts/audit-report.ts); its exit code is ignored and it counts
// neither as passed nor failed, and the 60 s ceiling keeps a slow registry from holding the run.
step("audit", "node_modules/.bin/tsx", ["scripts/audit-report.ts"]);

// 2. Jest
const jestFile = path.join(resultsDir, "jest.json");
rmSync(jestFile, { force: true });
const jestCode = step("jest", "node_modules/.bin/jest", ["--json", `--outputFile=${jestFile}`], {
  NODE_OPTIONS: "--experimental-vm-modules --no-warnings",
});
const jestSchema = z.object({ numPassedTests: z.number(), numFailedTests: z.number(), numPendingTests: z.number(), numRuntimeErrorTestSuites: z.number() });
if (existsSync(jestFile)) {
  const j = jestSchema.parse(JSON.parse(readFileSync(jestFile, "utf8")));
  passed += j.numPassedTests;
  failed += j.numFailedTests + j.numRuntimeErrorTestSuites;
  skipped += j.numPendingTests;
  // A non-zero exit with no failed test (e.g. a suite that threw outside a test) still fails the run.
  if (jestCode !== 0 && j.numFailedTests + j.numRuntimeErrorTestSuites === 0) failed += 1;
} else if (jestCode !== 0) failed += 1;

// 3. Playwright
if (!skipE2e) {
  const pwFile = path.join(resultsDir, "playwright.json");
  rmSync(pwFile, { force: true });
  const pwCode = step("playwright", "node_modules/.bin/playwright", ["test", "--reporter=list,json"], {
    PLAYWRIGHT_JSON_OUTPUT_NAME: pwFile,
  });
  const pwSchema = z.object({ stats: z.object({ expected: z.number(), unexpected: z.number(), flaky: z.number(), skipped: z.number() }) });
  if (existsSync(pwFile)) {
    const p = pwSchema.parse(JSON.parse(readFileSync(pwFile, "utf8")));
    passed += p.stats.expected + p.stats.flaky;
    failed += p.stats.unexpected;
    skipped += p.stats.skipped;
    if (pwCode !== 0 && p.stats.unexpected === 0) failed += 1;
  } else if (pwCode !== 0) failed += 1;
}

console.log(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
process.exit(failed > 0 ? 1 : 0);
