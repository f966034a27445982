/** What every benchmark shares: the machine description, backends, result files and time limits. */
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import postgres from "postgres";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const RESULTS_DIR = path.join(ROOT, "bench", "results");
export const TSX = path.join(ROOT, "node_modules", ".bin", "tsx");

export type Backend = "pglite" | "postgres";

/** The product's design targets the figures are compared with. */
export const TARGETS = { apiP95Ms: 50, tasksPerMinute: 1000, liveUpdateMs: 100 } as const;

/** Labels used in every table, so each figure says which database it ran on. */
export const BACKEND_LABEL: Record<Backend, string> = {
  pglite: "PGlite (embedded)",
  postgres: "PostgreSQL server",
};

/** Admin URL of the PostgreSQL server the `postgres` backend creates its throwaway database on. */
export function postgresAdminUrl(): string {
  return process.env.BENCH_POSTGRES_URL || "postgres://postgres@127.0.0.1:5432/postgres";
}

/** True when `--quick` was passed or BENCH_QUICK is set: smallest sizes only, for a smoke run. */
export const QUICK = process.argv.includes("--quick") || Boolean(process.env.BENCH_QUICK);

function sh(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { encoding: "utf8", timeout: 5_000 }).trim();
  } catch {
    return "";
  }
}

export type Machine = {
  nproc: string;
  cpuModel: string;
  memory: string;
  node: string;
  platform: string;
  postgresServer: string | null;
  /** 1/5/15-minute load averages when the results were written (other work on the machine shows here). */
  loadAverage: number[];
  /** The code measured: commit, and whether the working tree had uncommitted changes. */
  git: { commit: string; dirty: boolean };
};

/** `nproc`, `free -h`, CPU model, Node version, and the PostgreSQL server version when reachable. */
export async function machine(): Promise<Machine> {
  const free = sh("free", ["-h"]).split("\n").find((l) => l.startsWith("Mem:"));
  return {
    nproc: sh("nproc", []) || String(os.availableParallelism()),
    cpuModel: os.cpus()[0]?.model ?? "unknown",
    memory: free ? `total ${free.split(/\s+/)[1]} (free -h: ${free.replace(/\s+/g, " ")})` : `${Math.round(os.totalmem() / 2 ** 30)} GiB`,
    node: process.version,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    postgresServer: await postgresVersion(),
    loadAverage: os.loadavg().map((v) => Math.round(v * 100) / 100),
    git: { commit: sh("git", ["-C", ROOT, "rev-parse", "--short", "HEAD"]) || "unknown", dirty: sh("git", ["-C", ROOT, "status", "--porcelain", "--untracked-files=no"]) !== "" },
  };
}

async function postgresVersion(): Promise<string | null> {
  const sql = postgres(postgresAdminUrl(), { max: 1, connect_timeout: 2, onnotice: () => {} });
  try {
    const [row] = await sql<{ v: string }[]>`select current_setting('server_version') as v`;
    return row ? `PostgreSQL ${row.v} at ${new URL(postgresAdminUrl()).host} (loopback)` : null;
  } catch {
    return null;
  } finally {
    await sql.end({ timeout: 1 }).catch(() => {});
  }
}

/**
 * The backends to run on: PGlite always, the PostgreSQL server when it answers at
 * BENCH_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/postgres). BENCH_BACKENDS=pglite
 * (or postgres) restricts the list.
 */
export async function backends(): Promise<Backend[]> {
  const wanted = (process.env.BENCH_BACKENDS || "pglite,postgres").split(",").map((s) => s.trim());
  const out: Backend[] = [];
  if (wanted.includes("pglite")) out.push("pglite");
  if (wanted.includes("postgres")) {
    if (await postgresVersion()) out.push("postgres");
    else console.warn(`[bench] PostgreSQL server not reachable at ${postgresAdminUrl()}: skipping the postgres backend`);
  }
  return out;
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export const sleep = (msDelay: number) => new Promise<void>((r) => setTimeout(r, msDelay));

/** Writes `bench/results/<name>.json`. */
export function writeResult(name: string, data: unknown): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = path.join(RESULTS_DIR, `${name}.json`);
  writeFileSync(file, `${JSON.stringify(data, null, 2)}\n`);
  return file;
}

/** True when `importMetaUrl` is the script node was started with (so a module can be a CLI too). */
export function isMain(importMetaUrl: string): boolean {
  const entry = process.argv[1];
  return Boolean(entry) && importMetaUrl === pathToFileURL(path.resolve(entry ?? "")).href;
}

/** Fails the whole process after `limitMs` (every benchmark is bounded in time). */
export function watchdog(limitMs: number, what: string): NodeJS.Timeout {
  const t = setTimeout(() => {
    console.error(`[bench] ${what} exceeded its time limit of ${Math.round(limitMs / 1000)} s; aborting`);
    process.exit(2);
  }, limitMs);
  t.unref();
  return t;
}

const cleanups = new Set<() => Promise<void>>();
let signalsInstalled = false;

/**
 * Registers a cleanup (stop a server, drop a database) that also runs when the process is interrupted
 * (SIGINT/SIGTERM), so an aborted benchmark leaves no server or database behind.
 * @returns a function that unregisters it
 */
export function onShutdown(fn: () => Promise<void>): () => void {
  cleanups.add(fn);
  if (!signalsInstalled) {
    signalsInstalled = true;
    let running = false;
    // `on`, not `once`: a Ctrl-C reaches this process twice (from the terminal and relayed by tsx), and
    // a second, unhandled SIGINT would kill it before the cleanups ran.
    const run = (signal: string) => {
      if (running) return;
      running = true;
      console.error(`[bench] ${signal}: cleaning up`);
      const all = [...cleanups].map((c) => c().catch(() => {}));
      void Promise.race([Promise.all(all), sleep(15_000)]).then(() => process.exit(130));
    };
    process.on("SIGINT", () => run("SIGINT"));
    process.on("SIGTERM", () => run("SIGTERM"));
  }
  return () => cleanups.delete(fn);
}

/** Peak and current resident set size of a process, from /proc (Linux). */
export function procMemory(pid: number): { rss: number; hwm: number } | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = (key: string) => Number(/^\s*(\d+)/.exec(status.split(`${key}:`)[1] ?? "")?.[1] ?? NaN) * 1024;
    return { rss: kb("VmRSS"), hwm: kb("VmHWM") };
  } catch {
    return null;
  }
}
