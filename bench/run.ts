/**
 * `npm run bench`: every benchmark in turn (each in its own process, each printing its tables and
 * writing bench/results/<name>.json), then the headline figures against the design targets, written
 * to bench/results/summary.json. `tsx bench/run.ts [api|webhook|workflow|live-updates …] [--quick]`
 *
 * Order: the two production-server benchmarks first (the first `scripts/start.ts` builds Next when the
 * build is missing or stale), then the in-process ones.
 */
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import type { BackendResult as ApiResult } from "./api";
import { BACKEND_LABEL, machine, QUICK, RESULTS_DIR, ROOT, TARGETS, TSX, watchdog, writeResult } from "./lib/common";
import type { WorkerResult as LiveResult } from "./live-updates";
import { ms, num, printTable, ratio } from "./lib/stats";
import type { BackendResult as WebhookResult } from "./webhook";
import type { WorkerResult as WorkflowResult } from "./workflow";

const ALL = ["api", "webhook", "workflow", "live-updates"] as const;
type Name = (typeof ALL)[number];
/** Per-benchmark wall-time limits (the whole suite is meant to finish within 10 minutes). */
const LIMIT_MS: Record<Name, number> = { api: 5 * 60_000, webhook: 3 * 60_000, workflow: 5 * 60_000, "live-updates": 4 * 60_000 };

function runOne(name: Name): Promise<{ name: Name; ok: boolean; seconds: number }> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(TSX, [path.join("bench", `${name}.ts`), ...(QUICK ? ["--quick"] : [])], { cwd: ROOT, stdio: "inherit" });
    const timer = setTimeout(() => {
      console.error(`[bench] ${name} exceeded ${LIMIT_MS[name] / 1000} s; stopping PID ${child.pid}`);
      child.kill("SIGTERM");
      setTimeout(() => child.exitCode === null && child.kill("SIGKILL"), 10_000).unref();
    }, LIMIT_MS[name]);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ name, ok: code === 0, seconds: Math.round((Date.now() - started) / 1000) });
    });
  });
}

function read<T>(name: Name): { results: T[]; generatedAt: string } | null {
  const file = path.join(RESULTS_DIR, `${name}.json`);
  if (!existsSync(file)) return null;
  return JSON.parse(readFileSync(file, "utf8")) as { results: T[]; generatedAt: string };
}

type Headline = { metric: string; database: string; value: string; floor: string; target: string; meets: boolean | null };

function headlines(): Headline[] {
  const out: Headline[] = [];
  const wf = read<WorkflowResult>("workflow");
  for (const r of wf?.results ?? []) {
    const best = [...r.sizes].filter((s) => s.variant === "orchestration").sort((a, b) => b.tasksPerMinute - a.tasksPerMinute)[0];
    const serial = r.sizes.find((s) => s.variant === "orchestration" && s.mode === "serial");
    if (best) {
      out.push({
        metric: `workflow tasks/min (best of orchestration sizes: ${best.mode} ×${best.tasks})`,
        database: r.label,
        value: num(best.tasksPerMinute),
        floor: `floor bound ≈ ${num(60_000 / (r.floor.totalMs.p50 * Math.max(1, best.steps / best.tasks)), 0)} tasks/min on one lane`,
        target: `> ${TARGETS.tasksPerMinute}`,
        meets: best.tasksPerMinute > TARGETS.tasksPerMinute,
      });
    }
    if (serial) {
      out.push({
        metric: "workflow step overhead p50 / p95 (serial)",
        database: r.label,
        value: `${ms(serial.stepOverheadMs.p50)} / ${ms(serial.stepOverheadMs.p95)} ms`,
        floor: `${ms(r.floor.totalMs.p50)} / ${ms(r.floor.totalMs.p95)} ms (${ratio(serial.stepOverheadMs.p50, r.floor.totalMs.p50)} at p50)`,
        target: "–",
        meets: null,
      });
    }
  }
  const live = read<LiveResult>("live-updates");
  for (const r of live?.results ?? []) {
    for (const k of r.ks) {
      out.push({
        metric: `live update p95, K = ${k.k} (in-process / cross-instance)`,
        database: r.label,
        value: `${ms(k.app.paced.latencyMs.p95)} / ${ms(k.app.crossInstance.latencyMs.p95)} ms`,
        floor: `${ms(k.floor.paced.latencyMs.p95)} ms`,
        target: `< ${TARGETS.liveUpdateMs} ms`,
        meets: k.app.paced.latencyMs.p95 < TARGETS.liveUpdateMs,
      });
    }
  }
  const api = read<ApiResult>("api");
  for (const r of api?.results ?? []) {
    const top = Math.max(...r.runs.map((x) => x.connections));
    for (const [route, rate] of [["list", "paced"], ["create", "paced"], ["list", null], ["create", null]] as const) {
      const pick = (name: string) =>
        r.runs.find((x) => x.route === name && (rate === "paced" ? x.rate !== null : x.rate === null && x.connections === top));
      const run = pick(route);
      const trivial = pick("trivial");
      if (!run) continue;
      const load = run.rate !== null ? `1 conn paced at ${run.rate} req/s` : `${top} conns closed loop`;
      out.push({
        metric: `${route === "list" ? "GET" : "POST"} /api/v1/tasks p95 @ ${load} (req/s)`,
        database: r.label,
        value: `${ms(run.latencyMs.p95)} ms (${num(run.requestsPerSecond, 0)}/s)`,
        floor: trivial ? `${ms(trivial.latencyMs.p95)} ms (${num(trivial.requestsPerSecond, 0)}/s)` : "–",
        target: `p95 < ${TARGETS.apiP95Ms} ms`,
        meets: run.latencyMs.p95 < TARGETS.apiP95Ms,
      });
    }
  }
  const wh = read<WebhookResult>("webhook");
  for (const r of wh?.results ?? []) {
    const run = [...r.runs].sort((a, b) => b.connections - a.connections)[0];
    if (!run) continue;
    out.push({
      metric: `webhook deliveries/s @ ${run.connections} conns (p95), 20 % redeliveries`,
      database: r.label,
      value: `${num(run.ingest.requestsPerSecond, 0)}/s (${ms(run.ingest.latencyMs.p95)} ms)${r.check.idempotent ? "" : " — IDEMPOTENCY CHECK FAILED"}`,
      floor: `${num(run.trivial.requestsPerSecond, 0)}/s (${ms(run.trivial.latencyMs.p95)} ms)`,
      target: "–",
      meets: null,
    });
  }
  return out;
}

async function main(): Promise<void> {
  const started = Date.now();
  watchdog(16 * 60_000, "npm run bench");
  const asked = process.argv.slice(2).filter((a) => !a.startsWith("--"));
  const names = asked.length > 0 ? ALL.filter((n) => asked.includes(n)) : [...ALL];
  if (asked.some((a) => !(ALL as readonly string[]).includes(a))) {
    throw new Error(`unknown benchmark in ${asked.join(", ")}; known: ${ALL.join(", ")}`);
  }
  const runs = [];
  for (const name of names) {
    console.log(`\n=== bench: ${name} ===`);
    runs.push(await runOne(name));
  }
  const heads = headlines();
  printTable(
    "Headline figures (each beside its floor from the same run)",
    ["metric", "database", "value", "floor", "target", "meets"],
    heads.map((h) => [h.metric, h.database, h.value, h.floor, h.target, h.meets === null ? "–" : h.meets ? "yes" : "no"]),
  );
  const seconds = Math.round((Date.now() - started) / 1000);
  writeResult("summary", {
    generatedAt: new Date().toISOString(),
    durationS: seconds,
    quick: QUICK,
    machine: await machine(),
    backends: BACKEND_LABEL,
    benchmarks: runs,
    headlines: heads,
  });
  for (const r of runs) console.log(`[bench] ${r.name}: ${r.ok ? "ok" : "FAILED"} in ${r.seconds} s`);
  console.log(`[bench] all done in ${seconds} s`);
  if (runs.some((r) => !r.ok)) process.exit(1);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
