/**
 * The production server for the API and webhook benchmarks: `scripts/start.ts` (which builds Next when
 * the build is missing or stale, starts PGlite unless DATABASE_URL is set, applies migrations, and runs
 * `next start`), spawned by binary path on free loopback ports with a temp DATA_DIR, stopped by PID.
 *
 * Workflows: `INNGEST_DEV` points at an accept-only local executor (bench/lib/executor-main.ts) in its
 * own process, so `start.ts` starts no executor of its own; events are stored, no run ever starts.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { freePort, onShutdown, procMemory, ROOT, sleep, TSX, type Backend } from "./common";
import { createServerDatabase } from "./database";

export type ProductionServer = {
  kind: Backend;
  url: string;
  databaseUrl: string;
  /** PID of the `next-server` process (serves every request). */
  nextPid: number;
  /** PID of the `scripts/start.ts` process (hosts PGlite in the embedded default). */
  startPid: number;
  /** Signs a user up through better-auth (Origin = APP_URL) and returns the session cookie. */
  signUp(name: string): Promise<string>;
  /** Starts sampling memory; the returned function stops and gives peak RSS in bytes. */
  watchMemory(): () => { nextPeakRss: number; startPeakRss: number };
  stop(): Promise<void>;
};

function children(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((tid) =>
      readFileSync(`/proc/${pid}/task/${tid}/children`, "utf8")
        .split(/\s+/)
        .filter(Boolean)
        .map(Number),
    );
  } catch {
    return [];
  }
}

function descendants(pid: number): number[] {
  const out: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const p = queue.shift() as number;
    for (const c of children(p)) {
      out.push(c);
      queue.push(c);
    }
  }
  return out;
}

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ");
  } catch {
    return "";
  }
}

/** Resets the kernel's peak-RSS counter (VmHWM) of a process; false when not permitted. */
function resetPeak(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, "5");
    return true;
  } catch {
    return false;
  }
}

async function waitForExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return true;
  return Promise.race([new Promise<boolean>((r) => child.once("exit", () => r(true))), sleep(ms).then(() => false)]);
}

/**
 * Starts the server and resolves once `start.ts` says ready (it waits for /api/health itself).
 * @throws when it does not get ready within `timeoutMs` (a first `next build` is included)
 */
export async function startProductionServer(kind: Backend, opts: { timeoutMs?: number; log?: (m: string) => void } = {}): Promise<ProductionServer> {
  const log = opts.log ?? ((m: string) => console.log(`[server] ${m}`));
  const [port, executorPort, pglitePort] = [await freePort(), await freePort(), await freePort()];
  const dataDir = mkdtempSync(path.join(tmpdir(), "squadron-bench-server-"));
  const appUrl = `http://127.0.0.1:${port}`;
  const serverDb = kind === "postgres" ? await createServerDatabase() : null;
  const databaseUrl = serverDb?.url ?? `postgres://postgres@127.0.0.1:${pglitePort}/postgres`;

  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of ["DATABASE_URL", "OPENAI_API_KEY", "ANTHROPIC_API_KEY", "INNGEST_SIGNING_KEY", "INNGEST_EVENT_KEY", "BETTER_AUTH_SECRET", "DATABASE_DEBUG", "NODE_ENV"]) {
    delete env[key];
  }
  Object.assign(env, {
    PORT: String(port),
    DATA_DIR: dataDir,
    APP_URL: appUrl,
    INNGEST_DEV: `http://127.0.0.1:${executorPort}`,
    NEXT_TELEMETRY_DISABLED: "1",
    OFFLINE_MODEL_LATENCY_MS: "0",
    // Load generators are one user: count every request like production does (one upsert into
    // rate_limit_counters each), with a limit no run reaches.
    API_RATE_LIMIT_PER_MINUTE: "1000000000",
    ...(serverDb ? { DATABASE_URL: serverDb.url } : { PGLITE_PORT: String(pglitePort) }),
  });

  // Own process group, so a hung server can be killed as a whole by its PID; the 'exit' hook below makes
  // sure the group never outlives this process.
  const start = spawn(TSX, ["scripts/start.ts"], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"], detached: true });
  let executor: ChildProcess | null = null;
  let stopped = false;
  const output: string[] = [];
  const killGroup = (signal: NodeJS.Signals) => {
    if (start.pid && start.exitCode === null) {
      try {
        process.kill(-start.pid, signal); // the process group this function started
      } catch {
        // already gone
      }
    }
  };
  const killGroupOnExit = () => killGroup("SIGKILL");
  process.once("exit", killGroupOnExit);

  const stop = async () => {
    if (stopped) return;
    stopped = true;
    unregister();
    if (executor && executor.exitCode === null) {
      executor.kill("SIGTERM");
      if (!(await waitForExit(executor, 5_000))) executor.kill("SIGKILL");
    }
    if (start.exitCode === null && start.pid) {
      start.kill("SIGTERM"); // tsx forwards it; start.ts stops next and PGlite
      if (!(await waitForExit(start, 8_000))) {
        killGroup("SIGKILL");
        await waitForExit(start, 2_000);
      }
    }
    process.off("exit", killGroupOnExit);
    await serverDb?.drop().catch((e: unknown) => log(`could not drop the bench database: ${String(e)}`));
    rmSync(dataDir, { recursive: true, force: true });
  };
  const unregister = onShutdown(stop);

  try {
    const ready = new Promise<void>((resolve, reject) => {
      const onLine = (line: string) => {
        output.push(line);
        if (output.length > 200) output.shift();
        if (/building the app/.test(line)) log("start.ts is building Next (first run or stale build); this takes a minute or two");
        if (/migrations applied/.test(line) && !executor) {
          executor = spawn(TSX, ["bench/lib/executor-main.ts"], {
            cwd: ROOT,
            env: { ...env, BENCH_EXECUTOR_DB: databaseUrl, BENCH_EXECUTOR_PORT: String(executorPort), BENCH_APP_URL: `${appUrl}/api/inngest` },
            stdio: ["ignore", "pipe", "inherit"],
          });
        }
        if (/\[squadron\] ready on/.test(line)) resolve();
        if (/start failed/.test(line)) reject(new Error(`start.ts failed:\n${output.join("\n")}`));
      };
      createInterface({ input: start.stdout as NodeJS.ReadableStream }).on("line", onLine);
      createInterface({ input: start.stderr as NodeJS.ReadableStream }).on("line", onLine);
      start.once("exit", (code) => reject(new Error(`start.ts exited with code ${code}:\n${output.join("\n")}`)));
    });
    const limit = opts.timeoutMs ?? 6 * 60_000;
    await Promise.race([ready, sleep(limit).then(() => Promise.reject(new Error(`server not ready within ${limit} ms:\n${output.join("\n")}`)))]);
    // The executor must answer before events are sent (start.ts only waited for the database).
    for (let i = 0; ; i++) {
      const ok = await fetch(`http://127.0.0.1:${executorPort}/health`).then((r) => r.ok, () => false);
      if (ok) break;
      if (i > 200) throw new Error("accept-only executor did not start");
      await sleep(100);
    }
  } catch (error) {
    await stop();
    throw error;
  }

  const startPid = descendants(start.pid ?? 0).find((p) => /scripts\/start\.ts/.test(cmdline(p)) && !/node_modules\/\.bin\/tsx/.test(cmdline(p))) ?? start.pid ?? 0;
  const nextPid = descendants(start.pid ?? 0).find((p) => /^next-server/.test(cmdline(p))) ?? 0;
  if (!nextPid) log("could not find the next-server process; its memory is not reported");

  return {
    kind,
    url: appUrl,
    databaseUrl,
    nextPid,
    startPid,
    async signUp(name: string) {
      const email = `bench-${Date.now()}-${Math.random().toString(36).slice(2, 8)}@example.test`;
      const res = await fetch(`${appUrl}/api/auth/sign-up/email`, {
        method: "POST",
        headers: { "content-type": "application/json", origin: appUrl },
        body: JSON.stringify({ name, email, password: "correct-horse-battery" }),
      });
      if (!res.ok) throw new Error(`sign-up failed: ${res.status} ${await res.text()}`);
      return res.headers
        .getSetCookie()
        .map((c) => c.split(";")[0])
        .join("; ");
    },
    watchMemory() {
      const pids = [nextPid, startPid].filter((p) => p > 0);
      const reset = new Map(pids.map((p) => [p, resetPeak(p)]));
      const peak = new Map<number, number>();
      const sample = () => {
        for (const p of pids) {
          const m = procMemory(p);
          if (m && Number.isFinite(m.rss)) peak.set(p, Math.max(peak.get(p) ?? 0, m.rss));
        }
      };
      sample();
      const timer = setInterval(sample, 100);
      return () => {
        clearInterval(timer);
        sample();
        const value = (p: number) => {
          const m = procMemory(p);
          const hwm = reset.get(p) && m && Number.isFinite(m.hwm) ? m.hwm : 0;
          return Math.max(peak.get(p) ?? 0, hwm);
        };
        return { nextPeakRss: nextPid ? value(nextPid) : Number.NaN, startPeakRss: startPid ? value(startPid) : Number.NaN };
      };
    },
    stop,
  };
}
