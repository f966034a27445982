/**
 * Workflow throughput: N tasks through the full task workflow (offline model, OFFLINE_MODEL_LATENCY_MS=0)
 * on the local Inngest executor, beside the floor measured in the same process: one HTTP round trip to
 * a trivial route plus one INSERT — the least a durable step can cost.
 *
 * Two squads: "orchestration" has no repository bound (no git worktree, no test run: every step is
 * bookkeeping, so step time is pure overhead) and "workspace" is the default squad on the bundled
 * example repository (git worktree, `npm test`, patch: real side effects, excluded from overhead).
 *
 * Runs in-process (tests/fixtures-style stack: real route handlers on node:http, no Next server),
 * one child process per backend. `tsx bench/workflow.ts [--quick]`
 */
import net from "node:net";
import postgres from "postgres";
import {
  BACKEND_LABEL,
  backends,
  isMain,
  machine,
  QUICK,
  sleep,
  TARGETS,
  watchdog,
  writeResult,
  type Backend,
} from "./lib/common";
import { reportToParent, runWorker, workerBackend } from "./lib/child";
import { instrumentStore, timingMark, timingsSince } from "./lib/executor-timing";
import { startBenchStack, inngestCalls, type Client } from "./lib/stack";
import { ms, num, printTable, ratio, rounded, summarize, type Summary } from "./lib/stats";

const NAME = "workflow";
const TERMINAL = ["completed", "failed", "cancelled"];
/** Steps that do real work outside the database (git, child processes): not overhead. */
const SIDE_EFFECT_STEP = /^(prepare-workspace|save-patch|test\/run-tests|test\/tool-)/;

type Variant = "orchestration" | "workspace";
type Size = { variant: Variant; mode: "serial" | "concurrent"; tasks: number };

const SIZES: Size[] = QUICK
  ? [
      { variant: "orchestration", mode: "serial", tasks: 2 },
      { variant: "orchestration", mode: "concurrent", tasks: 5 },
      { variant: "workspace", mode: "concurrent", tasks: 2 },
    ]
  : [
      { variant: "orchestration", mode: "serial", tasks: 3 },
      { variant: "orchestration", mode: "concurrent", tasks: 10 },
      { variant: "orchestration", mode: "concurrent", tasks: 20 },
      { variant: "workspace", mode: "serial", tasks: 2 },
      { variant: "workspace", mode: "concurrent", tasks: 6 },
    ];

export type SizeResult = Size & {
  completed: number;
  failed: number;
  wallMs: number;
  tasksPerMinute: number;
  steps: number;
  stepsPerSecond: number;
  /** Time from the previous step's end (or the run's start) to this step's end, bookkeeping steps only. */
  stepOverheadMs: Summary;
  /** Same, for side-effect steps (workspace variant only). */
  sideEffectStepMs: Summary | null;
  /** Server-side duration of each executor → /api/inngest call (SDK replay + the step body). */
  handlerMs: Summary;
  callsPerStep: number;
  /**
   * CPU time (user + system) of the benchmark process per step: it hosts the app's route handlers, the
   * executor and, on PGlite, the database itself. Compare with 1000 ms × cores ÷ steps/s.
   */
  cpuMsPerStep: number;
  /** Socket writes to the database per step (≈ round trips; includes the bench's own polling, a few per second). */
  dbWritesPerStep: number;
  /** Mean request body of an executor → /api/inngest call (every call carries all memoized step results). */
  callRequestBytesMean: number;
  /** Executor queue wait: run created → run started, per task. */
  queueWaitMs: Summary;
  /**
   * Where a step's time goes, as totals ÷ steps (ms): the executor's claim, call preparation and
   * outcome transactions, and the app's /api/inngest handler. Under concurrency these overlap.
   */
  /** `claimIdle`: the scheduler's due-work checks and claims that found nothing (polling cost). */
  perStepMs: { claim: number; claimIdle: number; callContext: number; handler: number; applyOutcome: number; stepGapMean: number };
};

export type WorkerResult = {
  backend: Backend;
  label: string;
  floor: { httpMs: Summary; insertMs: Summary; totalMs: Summary };
  sizes: SizeResult[];
};

/**
 * Counts socket writes to the database port from this process (the app's pool, the executor's pool and
 * the bench's own reads): postgres.js writes once per batch of protocol messages, so this approximates
 * database round trips. Bench-only wrapper around net.Socket#write.
 */
const dbWrites = { count: 0, port: 0 };
function countDatabaseWrites(port: number): void {
  dbWrites.port = port;
  const proto = net.Socket.prototype as unknown as { write: (...args: unknown[]) => boolean };
  const original = proto.write;
  proto.write = function counted(this: net.Socket, ...args: unknown[]) {
    if (this.remotePort === dbWrites.port) dbWrites.count += 1;
    return original.apply(this, args);
  };
}

async function orgOf(sql: postgres.Sql, email: string): Promise<string> {
  const [row] = await sql<{ id: string }[]>`
    select m.organization_id as id from member m join "user" u on u.id = m.user_id where u.email = ${email} limit 1`;
  if (!row) throw new Error(`no organization for ${email}`);
  return row.id;
}

/** Floor: GET /bench/noop with the executor's own HTTP client, then one INSERT (pool like the app's). */
async function measureFloor(appUrl: string, databaseUrl: string, iterations: number): Promise<WorkerResult["floor"]> {
  const { httpRequest } = await import("@/inngest/local/http-client");
  const sql = postgres(databaseUrl, { max: 1, prepare: false, onnotice: () => {} });
  await sql`create table if not exists bench_floor (id bigserial primary key, at timestamptz not null default now(), payload jsonb)`;
  const http: number[] = [];
  const insert: number[] = [];
  const total: number[] = [];
  const warm = 20;
  for (let i = 0; i < iterations + warm; i++) {
    const t0 = performance.now();
    const res = await httpRequest(`${appUrl}/bench/noop`, { method: "GET", timeoutMs: 10_000 });
    if (res.status !== 200) throw new Error(`floor route answered ${res.status}`);
    const t1 = performance.now();
    await sql`insert into bench_floor (payload) values (${sql.json({ i, step: "floor" })})`;
    const t2 = performance.now();
    if (i >= warm) {
      http.push(t1 - t0);
      insert.push(t2 - t1);
      total.push(t2 - t0);
    }
  }
  await sql.end({ timeout: 5 });
  return { httpMs: rounded(summarize(http)), insertMs: rounded(summarize(insert)), totalMs: rounded(summarize(total)) };
}

async function createTasks(client: Client, n: number, label: string): Promise<string[]> {
  const ids: string[] = [];
  let next = 0;
  const worker = async () => {
    while (next < n) {
      const i = next++;
      const res = await client.json<{ id: string }>("/api/v1/tasks", {
        method: "POST",
        body: JSON.stringify({ title: `Bench ${label} task ${i + 1}`, description: "Benchmark task: measure the workflow." }),
      });
      if (res.status !== 201) throw new Error(`POST /api/v1/tasks → ${res.status} ${JSON.stringify(res.body)}`);
      ids.push(res.body.id);
    }
  };
  await Promise.all(Array.from({ length: Math.min(10, n) }, worker));
  return ids;
}

async function waitForTasks(sql: postgres.Sql, ids: string[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [row] = await sql<{ done: number }[]>`
      select count(*)::int as done from tasks where id = any(${sql.array(ids)}::uuid[]) and status = any(${sql.array(TERMINAL)})`;
    if ((row?.done ?? 0) >= ids.length) return;
    if (Date.now() > deadline) throw new Error(`${ids.length - (row?.done ?? 0)} of ${ids.length} tasks still running after ${timeoutMs} ms`);
    await sleep(50);
  }
}

/** Waits until no run is queued, running or waiting. */
async function waitForIdleExecutor(sql: postgres.Sql, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const [row] = await sql<{ n: number }[]>`
      select count(*)::int as n from inngest_local.runs where status in ('queued', 'running', 'waiting')`;
    if ((row?.n ?? 0) === 0) return;
    await sleep(50);
  }
}

type StepRow = { run_id: string; name: string; ended_at: Date };
type RunRow = { id: string; created_at: Date; started_at: Date | null; task_id: string };

/** Runs one size: creates the tasks, waits for them, reads timings from tasks and inngest_local. */
async function runSize(sql: postgres.Sql, client: Client, size: Size): Promise<SizeResult> {
  const callsBefore = inngestCalls().length;
  const mark = timingMark();
  const cpu0 = process.cpuUsage();
  const writes0 = dbWrites.count;
  const t0 = Date.now();
  let ids: string[] = [];
  if (size.mode === "serial") {
    for (let i = 0; i < size.tasks; i++) {
      const [id] = await createTasks(client, 1, `${size.variant} serial`);
      if (!id) throw new Error("no task id");
      ids.push(id);
      await waitForTasks(sql, [id], 60_000);
    }
  } else {
    ids = await createTasks(client, size.tasks, `${size.variant} x${size.tasks}`);
    await waitForTasks(sql, ids, 180_000);
  }
  // Let the runs' final calls (after the last step) land, so they count here and not in the next size.
  await waitForIdleExecutor(sql, 30_000);
  const tasks = await sql<{ status: string; completed_at: Date | null }[]>`
    select status, completed_at from tasks where id = any(${sql.array(ids)}::uuid[])`;
  const completed = tasks.filter((t) => t.status === "completed").length;
  const end = Math.max(...tasks.map((t) => t.completed_at?.getTime() ?? Date.now()));
  const wallMs = end - t0;

  const runs = await sql<RunRow[]>`
    select id, created_at, started_at, event->'data'->>'taskId' as task_id
    from inngest_local.runs
    where function_id like '%task-workflow' and event->'data'->>'taskId' = any(${sql.array(ids)})`;
  const steps = await sql<StepRow[]>`
    select run_id, coalesce(display_name, name) as name, ended_at
    from inngest_local.steps
    where run_id = any(${sql.array(runs.map((r) => r.id))}) and status = 'completed' and ended_at is not null
    order by run_id, ended_at`;
  const byRun = new Map<string, StepRow[]>();
  for (const s of steps) byRun.set(s.run_id, [...(byRun.get(s.run_id) ?? []), s]);
  const overhead: number[] = [];
  const sideEffect: number[] = [];
  const queueWait: number[] = [];
  for (const run of runs) {
    if (!run.started_at) continue;
    queueWait.push(run.started_at.getTime() - run.created_at.getTime());
    let prev = run.started_at.getTime();
    for (const s of byRun.get(run.id) ?? []) {
      const gap = s.ended_at.getTime() - prev;
      prev = s.ended_at.getTime();
      if (SIDE_EFFECT_STEP.test(s.name) && size.variant === "workspace") sideEffect.push(gap);
      else overhead.push(gap);
    }
  }
  const calls = inngestCalls().slice(callsBefore);
  const store = timingsSince(mark);
  const cpu = process.cpuUsage(cpu0);
  const writes = dbWrites.count - writes0;
  const perStep = (values: number[]) => (steps.length ? values.reduce((a, b) => a + b, 0) / steps.length : Number.NaN);
  const r2 = (v: number) => Math.round(v * 100) / 100;
  return {
    ...size,
    completed,
    failed: tasks.length - completed,
    wallMs,
    tasksPerMinute: (tasks.length / wallMs) * 60_000,
    steps: steps.length,
    stepsPerSecond: steps.length / (wallMs / 1000),
    stepOverheadMs: rounded(summarize(overhead)),
    sideEffectStepMs: size.variant === "workspace" ? rounded(summarize(sideEffect)) : null,
    handlerMs: rounded(summarize(calls.map((c) => c.ms))),
    callsPerStep: steps.length ? calls.length / steps.length : Number.NaN,
    cpuMsPerStep: steps.length ? Math.round(((cpu.user + cpu.system) / 1000 / steps.length) * 100) / 100 : Number.NaN,
    dbWritesPerStep: steps.length ? Math.round((writes / steps.length) * 10) / 10 : Number.NaN,
    callRequestBytesMean: calls.length ? Math.round(calls.reduce((a, c) => a + c.requestBytes, 0) / calls.length) : Number.NaN,
    queueWaitMs: rounded(summarize(queueWait)),
    perStepMs: {
      claim: r2(perStep(store.claim)),
      claimIdle: r2(perStep([...store.claimIdle, ...store.hasDueWork])),
      callContext: r2(perStep(store.callContext)),
      handler: r2(perStep(calls.map((c) => c.ms))),
      applyOutcome: r2(perStep(store.applyOutcome)),
      stepGapMean: r2(perStep([...overhead, ...sideEffect])),
    },
  };
}

async function worker(backend: Backend): Promise<void> {
  watchdog(8 * 60_000, `workflow worker (${backend})`);
  instrumentStore();
  const stack = await startBenchStack(backend, { executor: true });
  countDatabaseWrites(Number(new URL(stack.database.url).port));
  const sql = postgres(stack.database.url, { max: 1, prepare: false, onnotice: () => {} });
  try {
    const orchestration = await stack.signUp("Bench orchestration");
    const workspace = await stack.signUp("Bench workspace");
    await sql`update squads set repository_id = null where organization_id = ${await orgOf(sql, orchestration.email)}`;
    const clients: Record<Variant, Client> = { orchestration, workspace };

    // Warm-up (not recorded): module loading, JIT, the example repository copy.
    await runSize(sql, orchestration, { variant: "orchestration", mode: "serial", tasks: 2 });
    await runSize(sql, workspace, { variant: "workspace", mode: "serial", tasks: 1 });

    const floor = await measureFloor(stack.url, stack.database.url, QUICK ? 100 : 300);
    const sizes: SizeResult[] = [];
    for (const size of SIZES) {
      const r = await runSize(sql, clients[size.variant], size);
      console.log(
        `[workflow] ${backend} ${size.variant} ${size.mode} ×${size.tasks}: ${num(r.tasksPerMinute)} tasks/min, ` +
          `step p50 ${ms(r.stepOverheadMs.p50)} ms (floor ${ms(floor.totalMs.p50)} ms)`,
      );
      sizes.push(r);
    }
    reportToParent({ backend, label: BACKEND_LABEL[backend], floor, sizes } satisfies WorkerResult);
  } finally {
    await sql.end({ timeout: 5 });
    await stack.stop();
  }
}

export async function main(): Promise<void> {
  const started = Date.now();
  const results: WorkerResult[] = [];
  for (const backend of await backends()) {
    results.push(await runWorker<WorkerResult>(new URL(import.meta.url).pathname, backend, 9 * 60_000, QUICK ? ["--quick"] : []));
  }
  const rows: string[][] = [];
  for (const r of results) {
    for (const s of r.sizes) {
      rows.push([
        r.label,
        s.variant,
        `${s.mode} ×${s.tasks}`,
        `${s.completed}/${s.tasks}`,
        num(s.tasksPerMinute),
        num(s.stepsPerSecond),
        `${ms(s.stepOverheadMs.p50)} / ${ms(s.stepOverheadMs.p95)}`,
        `${ms(r.floor.totalMs.p50)} / ${ms(r.floor.totalMs.p95)}`,
        ratio(s.stepOverheadMs.p50, r.floor.totalMs.p50),
        `${ms(s.handlerMs.p50)} / ${ms(s.handlerMs.p95)}`,
        num(s.callsPerStep, 2),
        s.sideEffectStepMs ? `${ms(s.sideEffectStepMs.p50)} / ${ms(s.sideEffectStepMs.p95)}` : "–",
      ]);
    }
  }
  const breakdown: string[][] = [];
  for (const r of results) {
    for (const s of r.sizes) {
      const p = s.perStepMs;
      const known = p.claim + p.callContext + p.handler + p.applyOutcome;
      breakdown.push([
        r.label,
        s.variant,
        `${s.mode} ×${s.tasks}`,
        ms(p.stepGapMean),
        ms(p.claim),
        ms(p.callContext),
        ms(p.handler),
        ms(p.applyOutcome),
        s.mode === "serial" ? ms(p.stepGapMean - known) : "(overlaps)",
        ms(p.claimIdle),
        ms(s.queueWaitMs.p50),
        num(s.callRequestBytesMean / 1024, 1),
        ms(s.cpuMsPerStep),
        num(s.dbWritesPerStep, 1),
      ]);
    }
  }
  printTable(
    `Workflow throughput — offline model (0 ms), local executor, in-process route handlers; target > ${TARGETS.tasksPerMinute} tasks/min`,
    [
      "database",
      "squad",
      "size",
      "done",
      "tasks/min",
      "steps/s",
      "step overhead p50/p95 ms",
      "floor p50/p95 ms",
      "overhead ÷ floor (p50)",
      "/api/inngest p50/p95 ms",
      "calls/step",
      "side-effect step p50/p95 ms",
    ],
    rows,
  );
  printTable(
    "Where a workflow step's time goes — mean ms per step (totals ÷ steps; under concurrency the parts overlap, so they can exceed the step)",
    ["database", "squad", "size", "step (mean)", "executor claim", "executor prepare call", "/api/inngest handler", "executor apply outcome", "rest (HTTP, scheduling)", "due-work checks + empty claims", "run queue wait p50", "call body KiB (mean)", "bench-process CPU ms/step", "DB round trips/step"],
    breakdown,
  );
  const file = writeResult(NAME, {
    benchmark: NAME,
    generatedAt: new Date().toISOString(),
    durationMs: Date.now() - started,
    machine: await machine(),
    targets: { tasksPerMinute: TARGETS.tasksPerMinute },
    quick: QUICK,
    method:
      "In-process stack (app route handlers on node:http + local executor), one process per backend. " +
      "Step overhead = time from the previous step's end (or the run's start) to this step's end, from inngest_local.steps; " +
      "floor = GET /bench/noop with the executor's HTTP client + one INSERT, sequential, same process.",
    results,
  });
  console.log(`[workflow] wrote ${file} in ${Math.round((Date.now() - started) / 1000)} s`);
}

if (isMain(import.meta.url)) {
  const backend = workerBackend();
  (backend ? worker(backend) : main()).then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
