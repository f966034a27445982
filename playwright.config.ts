import { defineConfig, devices } from "@playwright/test";

/*
 * End-to-end tests in a real Chromium against the real app started the way users start it
 * (`scripts/start.ts`: embedded Postgres, migrations, local workflow executor, `next start`).
 * Each run gets a fresh DATA_DIR, so users and tasks never leak between runs.
 *
 * Chromium comes from the system (`/usr/bin/chromium`, override with CHROMIUM_PATH); Playwright's
 * own browser download is not needed. The port can be changed with E2E_PORT.
 */

const port = Number(process.env.E2E_PORT || 3217);
const baseURL = `http://127.0.0.1:${port}`;
// Set once in the runner process; workers inherit it, so every process agrees on the run's folder.
process.env.E2E_RUN_ID ||= `${Date.now()}-${process.pid}`;

export default defineConfig({
  testDir: "./tests/e2e",
  outputDir: "./test-results/e2e",
  // One app instance on a small machine: run specs one at a time so a squad run is never starved.
  fullyParallel: false,
  workers: 1,
  forbidOnly: Boolean(process.env.CI),
  retries: process.env.CI ? 1 : 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: process.env.CI ? [["list"], ["html", { open: "never" }]] : [["list"]],
  use: {
    baseURL,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
        "--disable-sync",
        "--disable-quic",
      ],
    },
  },
  projects: [
    {
      name: "chromium",
      use: { ...devices["Desktop Chrome"], browserName: "chromium", channel: undefined },
    },
  ],
  webServer: {
    command: "node_modules/.bin/tsx scripts/start.ts",
    url: `${baseURL}/api/health`,
    env: {
      PORT: String(port),
      // better-auth only trusts requests whose Origin is APP_URL: it must be the URL the browser uses.
      APP_URL: baseURL,
      DATA_DIR: `.data/e2e-${process.env.E2E_RUN_ID}`,
      INNGEST_LOCAL_PORT: String(port + 1),
      NEXT_TELEMETRY_DISABLED: "1",
      // Each offline model call takes this long (ms), so a run lasts long enough to be watched live.
      OFFLINE_MODEL_LATENCY_MS: "250",
    },
    timeout: 300_000,
    reuseExistingServer: false,
    stdout: "pipe",
    stderr: "pipe",
  },
});
