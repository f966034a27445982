/**
 * Runs one benchmark worker per backend in its own process: app modules keep process-wide state (the
 * database pool, the Inngest client's URL, the event bus), so each backend gets fresh ones.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { ROOT, TSX, type Backend } from "./common";

/** In a worker: the backend it was started for (`--worker <backend>`), or null in the parent. */
export function workerBackend(): Backend | null {
  const i = process.argv.indexOf("--worker");
  if (i === -1) return null;
  const b = process.argv[i + 1];
  if (b !== "pglite" && b !== "postgres") throw new Error(`--worker needs pglite or postgres, got ${b}`);
  return b;
}

/** In a worker: hands the result to the parent. */
export function reportToParent(data: unknown): void {
  const file = process.env.BENCH_RESULT_FILE;
  if (!file) throw new Error("BENCH_RESULT_FILE is not set (run through the parent benchmark)");
  writeFileSync(file, JSON.stringify(data));
}

/**
 * Starts `tsx <script> --worker <backend> [extra args]` and resolves with what it reported.
 * Kills the worker (by its PID) when it runs longer than `timeoutMs`.
 */
export async function runWorker<T>(script: string, backend: Backend, timeoutMs: number, extra: string[] = []): Promise<T> {
  const dir = mkdtempSync(path.join(tmpdir(), "squadron-bench-result-"));
  const file = path.join(dir, "result.json");
  try {
    const child = spawn(TSX, [script, "--worker", backend, ...extra], {
      cwd: ROOT,
      stdio: ["ignore", "inherit", "inherit"],
      env: { ...process.env, BENCH_RESULT_FILE: file },
    });
    const timer = setTimeout(() => {
      console.error(`[bench] worker ${path.basename(script)} (${backend}) exceeded ${Math.round(timeoutMs / 1000)} s; stopping PID ${child.pid}`);
      child.kill("SIGTERM");
      setTimeout(() => child.exitCode === null && child.kill("SIGKILL"), 5_000).unref();
    }, timeoutMs);
    const code: number = await new Promise((resolve) => child.on("exit", (c) => resolve(c ?? 1)));
    clearTimeout(timer);
    if (code !== 0 || !existsSync(file)) throw new Error(`worker ${path.basename(script)} (${backend}) exited with code ${code}`);
    return JSON.parse(readFileSync(file, "utf8")) as T;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
