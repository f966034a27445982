/**
 * Live-update latency: time from appending a task event to its receipt by K concurrent SSE clients
 * of `GET /api/v1/tasks/{id}/events` (K = 1, 50, 200), beside a floor measured in the same process:
 * one INSERT plus a bare in-memory SSE fan-out (`GET /bench/sse`) to the same number of clients.
 *
 * Paths measured:
 * - in-process: `appendTaskEvent` in the process serving the streams (how workflow steps append:
 *   they run inside the app process that serves /api/inngest) — wakes streams through the in-process bus;
 * - cross-instance: a row inserted and `pg_notify`d from another connection without the in-process
 *   wake (what a second app instance sees) — LISTEN/NOTIFY on the server, the 1 s cursor poll on PGlite.
 *
 * Server: the in-process stack (real route handlers on node:http); clients: a forked process.
 * `tsx bench/live-updates.ts [--quick]`
 */
import { fork, type ChildProcess } from "node:child_process";
import path from "node:path";
import postgres from "postgres";
import { BACKEND_LABEL, backends, isMain, machine, QUICK, ROOT, sleep, TARGETS, watchdog, writeResult, type Backend } from "./lib/common";
import { reportToParent, runWorker, workerBackend } from "./lib/child";
import type { ClientReport } from "./lib/sse-clients";
import { benchSse, startBenchStack } from "./lib/stack";
import { ms, num, printTable, ratio, rounded, summarize, type Summary } from "./lib/stats";

const NAME = "live-updates";
const KS = QUICK ? [1, 50] : [1, 50, 200];
const PACED = { events: QUICK ? 20 : 30, intervalMs: 50 };
const CROSS = { events: QUICK ? 10 : 15, intervalMs: 100 };
/** Burst size; smaller for large K so a slow backend still finishes in seconds. */
const burstFor = (k: number) => (k >= 200 ? 25 : k >= 50 ? 50 : 100);

type Phase = {
  /** Latency of each (client, event) delivery, ms. */
  latencyMs: Summary;
  delivered: number;
  expected: number;
  /** `select … from task_events` statements the app's pool ran per event per client (stream re-reads). */
  readsPerEventPerClient?: number;
};
type Burst = {
  events: number;
  /** Events appended per second by the sender alone. */
  sendPerSecond: number;
  /** Events per second until every client had every event. */
  eventsPerSecond: number;
  /** Client deliveries per second (events × K). */
  deliveriesPerSecond: number;
  delivered: number;
  expected: number;
};
export type KResult = {
  k: number;
  connected: number;
  app: { paced: Phase; burst: Burst; crossInstance: Phase };
  floor: { paced: Phase; burst: Burst };
};
export type WorkerResult = { backend: Backend; label: string; ks: KResult[] };

const now = () => performance.timeOrigin + performance.now();

class Clients {
  private child: ChildProcess;
  private waiters: ((msg: Record<string, unknown>) => void)[] = [];

  constructor() {
    this.child = fork(path.join(ROOT, "bench/lib/sse-clients.ts"), [], {
      cwd: ROOT,
      execArgv: ["--import", "tsx"],
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    this.child.on("message", (m) => this.waiters.shift()?.(m as Record<string, unknown>));
  }

  private ask<T>(msg: Record<string, unknown>, timeoutMs = 30_000): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`SSE clients did not answer ${String(msg.type)} in ${timeoutMs} ms`)), timeoutMs);
      this.waiters.push((m) => {
        clearTimeout(timer);
        resolve(m as T);
      });
      this.child.send(msg);
    });
  }

  connect(url: string, cookie: string, k: number) {
    return this.ask<{ ok: number; failed: number }>({ type: "connect", url, cookie, k }, 60_000);
  }
  count() {
    return this.ask<{ delivered: number }>({ type: "count" });
  }
  report() {
    return this.ask<ClientReport>({ type: "report" });
  }
  /** Waits until `expected` deliveries arrived (or `timeoutMs`). */
  async settle(expected: number, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if ((await this.count()).delivered >= expected) return;
      await sleep(50);
    }
  }
  async close(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((r) => this.child.once("exit", r));
    this.child.send({ type: "close" });
    await Promise.race([exited, sleep(5_000)]);
    if (this.child.exitCode === null) this.child.kill("SIGKILL");
  }
}

type Send = (bench: { seq: number; sentAt: number }) => Promise<void>;

/** Counts statements reading task_events on the app's pool (bench-only wrapper around postgres.js `unsafe`). */
const reads = { count: 0 };
function countStreamReads(sql: { unsafe: (...args: never[]) => unknown }): void {
  const target = sql as unknown as { unsafe: (query: string, ...rest: unknown[]) => unknown };
  const original = target.unsafe.bind(sql);
  target.unsafe = (query: string, ...rest: unknown[]) => {
    if (/^select .* from "task_events"/is.test(query)) reads.count += 1;
    return original(query, ...rest);
  };
}

async function paced(clients: Clients, k: number, send: Send, events: number, intervalMs: number, settleMs: number): Promise<Phase> {
  const readsBefore = reads.count;
  const start = now();
  for (let seq = 0; seq < events; seq++) {
    const due = start + seq * intervalMs;
    const wait = due - now();
    if (wait > 0) await sleep(wait);
    await send({ seq, sentAt: now() });
  }
  await clients.settle(events * k, settleMs);
  const r = await clients.report();
  const readsPerEventPerClient = Math.round(((reads.count - readsBefore) / (events * k)) * 100) / 100;
  return { latencyMs: rounded(summarize(r.latencies)), delivered: r.latencies.length, expected: events * k, readsPerEventPerClient };
}

async function burst(clients: Clients, k: number, send: Send, events: number): Promise<Burst> {
  const t0 = now();
  for (let seq = 0; seq < events; seq++) await send({ seq, sentAt: now() });
  const sent = now();
  await clients.settle(events * k, 30_000);
  const r = await clients.report();
  const last = Math.max(...Object.values(r.bySeq).map((v) => v.lastAt));
  const seconds = (last - t0) / 1000;
  return {
    events,
    sendPerSecond: events / ((sent - t0) / 1000),
    eventsPerSecond: events / seconds,
    deliveriesPerSecond: r.latencies.length / seconds,
    delivered: r.latencies.length,
    expected: events * k,
  };
}

async function worker(backend: Backend): Promise<void> {
  watchdog(6 * 60_000, `live-updates worker (${backend})`);
  const stack = await startBenchStack(backend, { executor: false });
  const side = postgres(stack.database.url, { max: 1, prepare: false, onnotice: () => {} });
  try {
    const client = await stack.signUp("Bench live");
    const [org] = await side<{ id: string }[]>`
      select m.organization_id as id from member m join "user" u on u.id = m.user_id where u.email = ${client.email}`;
    if (!org) throw new Error("no organization");
    const { getDb, getSql } = await import("@/db/client");
    countStreamReads(getSql());
    const { insertQueuedTask } = await import("@/lib/tasks/create-task");
    const { appendTaskEvent } = await import("@/lib/events/append-task-event");
    const { TASK_EVENTS_CHANNEL } = await import("@/lib/events/bus");
    const db = getDb();
    const task = await db.transaction((tx) =>
      insertQueuedTask(tx, { title: "Bench live updates", description: "" }, { organizationId: org.id, source: "api" }),
    );
    await side`create table if not exists bench_floor (id bigserial primary key, at timestamptz not null default now(), payload jsonb)`;
    const floorSql = postgres(stack.database.url, { max: 1, prepare: false, onnotice: () => {} });

    const appSend: Send = async (bench) => {
      await appendTaskEvent(db, {
        organizationId: org.id,
        taskId: task.id,
        type: "message",
        actor: "system",
        message: `bench event ${bench.seq}`,
        data: { bench },
      });
    };
    const crossSend: Send = async (bench) => {
      await side`
        insert into task_events (organization_id, task_id, type, actor, message, data)
        values (${org.id}, ${task.id}, 'message', 'system', ${`bench event ${bench.seq}`}, ${side.json({ bench })})`;
      await side`select pg_notify(${TASK_EVENTS_CHANNEL}, ${task.id})`;
    };
    const floorSend: Send = async (bench) => {
      await floorSql`insert into bench_floor (payload) values (${floorSql.json({ bench })})`;
      benchSse().emit("msg", JSON.stringify({ bench }));
    };

    // Warm-up (not recorded): route modules, the LISTEN connection, JIT.
    {
      const c = new Clients();
      await c.connect(`${stack.url}/api/v1/tasks/${task.id}/events`, client.cookie, 5);
      await sleep(300);
      await paced(c, 5, appSend, 20, 10, 3_000);
      await c.close();
      const f = new Clients();
      await f.connect(`${stack.url}/bench/sse`, "", 5);
      await paced(f, 5, floorSend, 20, 10, 3_000);
      await f.close();
    }

    const ks: KResult[] = [];
    for (const k of KS) {
      const app = new Clients();
      const conn = await app.connect(`${stack.url}/api/v1/tasks/${task.id}/events`, client.cookie, k);
      await sleep(500); // the stream's backlog (earlier events) arrives first; it carries no new timings
      await app.report();
      const appPaced = await paced(app, k, appSend, PACED.events, PACED.intervalMs, 5_000);
      const appBurst = await burst(app, k, appSend, burstFor(k));
      const cross = await paced(app, k, crossSend, CROSS.events, CROSS.intervalMs, 5_000);
      await app.close();

      const floor = new Clients();
      await floor.connect(`${stack.url}/bench/sse`, "", k);
      await sleep(200);
      const floorPaced = await paced(floor, k, floorSend, PACED.events, PACED.intervalMs, 5_000);
      const floorBurst = await burst(floor, k, floorSend, burstFor(k));
      await floor.close();

      console.log(
        `[live-updates] ${backend} K=${k}: p95 ${ms(appPaced.latencyMs.p95)} ms (floor ${ms(floorPaced.latencyMs.p95)} ms), ` +
          `${num(appBurst.eventsPerSecond)} events/s, cross-instance p50 ${ms(cross.latencyMs.p50)} ms`,
      );
      ks.push({ k, connected: conn.ok, app: { paced: appPaced, burst: appBurst, crossInstance: cross }, floor: { paced: floorPaced, burst: floorBurst } });
      await sleep(300);
    }
    await floorSql.end({ timeout: 5 });
    reportToParent({ backend, label: BACKEND_LABEL[backend], ks } satisfies WorkerResult);
  } finally {
    await side.end({ timeout: 5 });
    await stack.stop();
  }
}

export async function main(): Promise<void> {
  const started = Date.now();
  const results: WorkerResult[] = [];
  for (const backend of await backends()) {
    results.push(await runWorker<WorkerResult>(new URL(import.meta.url).pathname, backend, 7 * 60_000, QUICK ? ["--quick"] : []));
  }
  const latencyRows: string[][] = [];
  const rateRows: string[][] = [];
  for (const r of results) {
    for (const x of r.ks) {
      const a = x.app.paced;
      const f = x.floor.paced;
      const c = x.app.crossInstance;
      latencyRows.push([
        r.label,
        String(x.k),
        `${ms(a.latencyMs.p50)} / ${ms(a.latencyMs.p95)} / ${ms(a.latencyMs.p99)}`,
        `${a.delivered}/${a.expected}`,
        `${ms(f.latencyMs.p50)} / ${ms(f.latencyMs.p95)} / ${ms(f.latencyMs.p99)}`,
        ratio(a.latencyMs.p95, f.latencyMs.p95),
        num(a.readsPerEventPerClient ?? Number.NaN, 2),
        `${ms(c.latencyMs.p50)} / ${ms(c.latencyMs.p95)} / ${ms(c.latencyMs.p99)}`,
        `${c.delivered}/${c.expected}`,
      ]);
      rateRows.push([
        r.label,
        String(x.k),
        String(x.app.burst.events),
        num(x.app.burst.sendPerSecond, 0),
        num(x.app.burst.eventsPerSecond, 0),
        num(x.app.burst.deliveriesPerSecond, 0),
        `${x.app.burst.delivered}/${x.app.burst.expected}`,
        num(x.floor.burst.eventsPerSecond, 0),
        num(x.floor.burst.deliveriesPerSecond, 0),
        ratio(x.floor.burst.eventsPerSecond, x.app.burst.eventsPerSecond),
      ]);
    }
  }
  printTable(
    `Live-update latency — append → receipt by each of K SSE clients (${PACED.events} events at ${1000 / PACED.intervalMs}/s); target < ${TARGETS.liveUpdateMs} ms`,
    [
      "database",
      "K",
      "in-process p50/p95/p99 ms",
      "delivered",
      "floor p50/p95/p99 ms",
      "p95 ÷ floor",
      "stream reads / event / client",
      "cross-instance p50/p95/p99 ms",
      "delivered",
    ],
    latencyRows,
  );
  printTable(
    "Live-update throughput — events appended back to back (in-process path) until every client has all of them",
    ["database", "K", "events", "appends/s (sender)", "events/s sustained", "deliveries/s", "delivered", "floor events/s", "floor deliveries/s", "floor ÷ app"],
    rateRows,
  );
  const file = writeResult(NAME, {
    benchmark: NAME,
    generatedAt: new Date().toISOString(),
    durationMs: Date.now() - started,
    machine: await machine(),
    targets: { liveUpdateMs: TARGETS.liveUpdateMs },
    quick: QUICK,
    method:
      "In-process stack (app route handlers on node:http), SSE clients in a forked process (node:http, one socket each), all on one task. " +
      "Latency = receipt − sentAt (performance.timeOrigin + now() in both processes), sentAt taken just before the append. " +
      "Floor = INSERT into a bench table + in-memory emit to a bare SSE route, same server, same clients.",
    results,
  });
  console.log(`[live-updates] wrote ${file} in ${Math.round((Date.now() - started) / 1000)} s`);
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
