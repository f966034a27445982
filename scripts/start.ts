// `npm start` (and `npm run dev` with --dev): the embedded default in one command.
// Starts PGlite (unless DATABASE_URL is set), applies migrations, materialises the example repository,
// builds Next if the build is missing or stale, starts the local Inngest executor (unless INNGEST_DEV
// points elsewhere or Inngest Cloud keys are set) and the Next server, then prints demo credentials.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { bootstrapEnv } from "./bootstrap-env";

const dev = process.argv.includes("--dev");
const dataDir = bootstrapEnv();
const port = Number(process.env.PORT || 3000);
process.env.APP_URL ||= `http://localhost:${port}`;

const { startEmbeddedPostgres } = await import("../db/embedded");
const { runMigrations } = await import("../db/migrate");
const { encryptStoredSecrets } = await import("../lib/repositories/encrypt-stored-secrets");
const { ensureExampleRepository } = await import("../lib/workspace");
const { startLocalExecutor, sdkEnv } = await import("../inngest/local");

const log = (msg: string) => console.log(`[squadron] ${msg}`);
const cleanups: (() => Promise<void>)[] = [];
// Run before `cleanups` on shutdown, while the app still serves: the executor lets steps in flight finish.
const drains: (() => Promise<void>)[] = [];
let shuttingDown = false;

/**
 * How long SIGTERM/SIGINT lets workflow steps in flight finish before they are abandoned (their work
 * is resumed by the next start), ms: `SHUTDOWN_DRAIN_MS`, default 10,000 — inside the 30 s a container
 * platform usually waits between SIGTERM and SIGKILL (Kubernetes' default terminationGracePeriodSeconds).
 */
const shutdownDrainMs = Number(process.env.SHUTDOWN_DRAIN_MS ?? 10_000);

async function shutdown(code: number): Promise<never> {
  if (!shuttingDown) {
    shuttingDown = true;
    for (const d of drains) await d().catch((e: unknown) => console.error(e));
    for (const c of cleanups.reverse()) await c().catch((e: unknown) => console.error(e));
  }
  process.exit(code);
}
const onSignal = (signal: string) => {
  if (!shuttingDown) log(`${signal}: stopping — no new work is taken, steps in flight get up to ${shutdownDrainMs} ms to finish`);
  void shutdown(0);
};
process.on("SIGINT", () => onSignal("SIGINT"));
process.on("SIGTERM", () => onSignal("SIGTERM"));

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  return spawn(cmd, args, { stdio: "inherit", env });
}

function newestSourceMtime(): number {
  let newest = 0;
  const walk = (p: string) => {
    if (!existsSync(p)) return;
    const st = statSync(p);
    if (st.isDirectory()) {
      for (const entry of readdirSync(p)) walk(path.join(p, entry));
    } else newest = Math.max(newest, st.mtimeMs);
  };
  for (const p of ["app", "components", "lib", "inngest", "db", "package.json", "next.config.ts", "postcss.config.mjs"]) walk(p);
  return newest;
}

try {
  // 1. Database
  let databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) {
    const pgDir = path.join(dataDir, "pglite");
    const embedded = await startEmbeddedPostgres({ dataDir: pgDir, port: Number(process.env.PGLITE_PORT || 0) });
    cleanups.push(() => embedded.stop());
    databaseUrl = embedded.url;
    process.env.DATABASE_URL = databaseUrl;
    log(`embedded PostgreSQL (PGlite + pgvector) in ${pgDir}, listening at ${embedded.url}`);
  } else {
    log("using DATABASE_URL");
  }
  await runMigrations(databaseUrl);
  const upgraded = await encryptStoredSecrets(databaseUrl);
  log(`migrations applied${upgraded > 0 ? `; ${upgraded} webhook secret(s) stored in plaintext encrypted` : ""}`);
  {
    // Say which knowledge store is active (pgvector / Pinecone / full text only) and why, once at start.
    const { createDatabase } = await import("../db/client");
    const { describeActiveStore } = await import("../lib/knowledge/stores");
    const owner = createDatabase(databaseUrl, { max: 1 });
    try {
      await describeActiveStore(owner.db);
    } finally {
      await owner.sql.end({ timeout: 5 });
    }
  }

  // 2. The bundled example repository
  const repo = await ensureExampleRepository(dataDir);
  log(`example repository at ${repo}`);

  // 3. Build
  if (!dev) {
    const stampFile = path.join(".next", "squadron-build-stamp");
    const newest = newestSourceMtime();
    const built = existsSync(path.join(".next", "BUILD_ID")) && existsSync(stampFile) && Number(readFileSync(stampFile, "utf8")) >= newest;
    if (!built) {
      log("building the app (next build) — first start takes a minute or two");
      const build = run("node_modules/.bin/next", ["build"], { ...process.env, NODE_ENV: "production" });
      const code: number = await new Promise((resolve) => build.on("exit", (c) => resolve(c ?? 1)));
      if (code !== 0) throw new Error(`next build failed with exit code ${code}`);
      writeFileSync(stampFile, String(newest));
    }
  }

  // 4. Workflow executor: local unless INNGEST_DEV names another server or a signing key means
  // Inngest Cloud / self-hosted (INNGEST_LOCAL=1 keeps the local executor and signs with that key).
  const signingKey = process.env.INNGEST_SIGNING_KEY;
  const localSigned = Boolean(signingKey) && ["1", "true"].includes(process.env.INNGEST_LOCAL ?? "");
  const external = (process.env.INNGEST_DEV !== undefined && /^https?:/.test(process.env.INNGEST_DEV)) || (Boolean(signingKey) && !localSigned);
  if (!external) {
    const executor = await startLocalExecutor({
      databaseUrl,
      appUrl: `http://127.0.0.1:${port}/api/inngest`,
      port: Number(process.env.INNGEST_LOCAL_PORT || 8288),
      signingKey: localSigned ? signingKey : undefined,
      log: (m: string) => log(`executor: ${m}`),
    });
    drains.push(() => executor.stop({ drainMs: shutdownDrainMs }));
    cleanups.push(() => executor.stop());
    Object.assign(process.env, sdkEnv(executor.url, { signingKey: localSigned ? signingKey : undefined, eventKey: process.env.INNGEST_EVENT_KEY }));
    log(`local Inngest executor at ${executor.url}${localSigned ? " (signed requests)" : ""}`);
  }

  // 5. Next
  const next = run("node_modules/.bin/next", [dev ? "dev" : "start", "-p", String(port)], {
    ...process.env,
    NODE_ENV: dev ? "development" : "production",
  });
  cleanups.push(async () => {
    if (next.exitCode === null) {
      next.kill("SIGTERM");
      await new Promise((r) => next.once("exit", r));
    }
  });
  next.on("exit", (code) => {
    if (!shuttingDown) {
      log(`next exited with code ${code}`);
      void shutdown(code ?? 1);
    }
  });

  // 6. Demo user, once the app answers
  const appUrl = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    const ok = await fetch(`${appUrl}/api/health`).then((r) => r.ok, () => false);
    if (ok) break;
    if (i > 600) throw new Error("the app did not become healthy within 5 minutes");
    await new Promise((r) => setTimeout(r, 500));
  }
  const { ensureDemoUser } = await import("./demo-user");
  const demo = await ensureDemoUser(appUrl, process.env.APP_URL, dataDir);
  log(`ready on ${process.env.APP_URL}`);
  log(`demo credentials: ${demo.email} / ${demo.password}`);
} catch (error) {
  console.error("[squadron] start failed:", error);
  await shutdown(1);
}
