/**
 * API latency under load: `GET /api/v1/tasks` (100 tasks in the organization, the route's page size)
 * and `POST /api/v1/tasks` with autocannon on loopback, beside a trivial handler in the same run:
 * `GET /api/v1/tasks` without a session (Next routing + the route handler + a JSON 401, no database).
 *
 * Server: the production build via `scripts/start.ts` (`next start`), one per backend. POSTed tasks
 * send `squad/task.assigned` to an accept-only local executor (events stored, no workflow runs), so
 * the figures include the real `inngest.send` but no workflow load. `tsx bench/api.ts [--quick]`
 */
import postgres from "postgres";
import { BACKEND_LABEL, backends, isMain, machine, QUICK, TARGETS, watchdog, writeResult, type Backend } from "./lib/common";
import { load, type LoadResult } from "./lib/load";
import { startProductionServer, type ProductionServer } from "./lib/server";
import { mib, ms, num, printTable, ratio } from "./lib/stats";

const NAME = "api";
const CONNECTIONS = QUICK ? [10] : [10, 50];
const DURATION_S = QUICK ? 3 : 5;
const SEED_TASKS = 100;
/**
 * Light-load rows: one connection paced at this rate (well below every route's capacity here). One
 * connection, because autocannon fires paced connections in step, so N connections make bursts of N.
 */
const PACED_RATE = 20;

type RouteName = "trivial" | "list" | "create" | "listActiveOrg";
const ROUTE_LABEL: Record<RouteName, string> = {
  trivial: "GET /api/v1/tasks, no session → 401 (trivial)",
  list: "GET /api/v1/tasks (100 rows)",
  create: "POST /api/v1/tasks",
  listActiveOrg: "GET /api/v1/tasks, session.active_organization_id set (what-if)",
};

export type RouteRun = LoadResult & {
  route: RouteName;
  /** Top-level tasks in the database when the run started. */
  tasksBefore: number;
  nextPeakRss: number;
  startPeakRss: number;
};
export type BackendResult = { backend: Backend; label: string; runs: RouteRun[]; eventsAccepted: number };

async function countTasks(url: string): Promise<{ tasks: number; events: number }> {
  const sql = postgres(url, { max: 1, prepare: false, onnotice: () => {} });
  try {
    const [t] = await sql<{ n: number }[]>`select count(*)::int as n from tasks`;
    const [e] = await sql<{ n: number }[]>`select count(*)::int as n from inngest_local.events`;
    return { tasks: t?.n ?? 0, events: e?.n ?? 0 };
  } finally {
    await sql.end({ timeout: 5 });
  }
}

let created = 0;
function taskBody(): string {
  created += 1;
  return JSON.stringify({ title: `Bench API task ${created}`, description: "Created by the API benchmark." });
}

async function runRoute(
  server: ProductionServer,
  cookie: string,
  route: RouteName,
  connections: number,
  durationS: number,
  rate?: number,
): Promise<LoadResult> {
  const url = `${server.url}/api/v1/tasks`;
  if (route === "trivial") return load({ url, connections, durationS, rate, expect: [401] });
  if (route === "list" || route === "listActiveOrg") return load({ url: `${url}?limit=100`, connections, durationS, rate, headers: { cookie }, expect: [200] });
  return load({
    url,
    connections,
    durationS,
    rate,
    method: "POST",
    expect: [201],
    next: () => ({ body: taskBody(), headers: { cookie, "content-type": "application/json" } }),
  });
}

async function onBackend(backend: Backend): Promise<BackendResult> {
  const server = await startProductionServer(backend);
  try {
    const cookie = await server.signUp("Bench API");
    // Seed: the list route returns at most 100 tasks.
    for (let i = 0; i < SEED_TASKS; i += 10) {
      await Promise.all(
        Array.from({ length: 10 }, async () => {
          const res = await fetch(`${server.url}/api/v1/tasks`, {
            method: "POST",
            headers: { cookie, "content-type": "application/json" },
            body: taskBody(),
          });
          if (res.status !== 201) throw new Error(`seeding: POST /api/v1/tasks → ${res.status} ${await res.text()}`);
        }),
      );
    }
    // Warm-up (not recorded): JIT, Next's route caches, the database pool.
    for (const route of ["trivial", "list", "create"] as const) await runRoute(server, cookie, route, 10, 1);

    const runs: RouteRun[] = [];
    // Light load first: latency at a steady, modest request rate (what a user sees when the server keeps up).
    for (const route of ["trivial", "list", "create"] as const) {
      const before = await countTasks(server.databaseUrl);
      const stopWatch = server.watchMemory();
      const r = await runRoute(server, cookie, route, 1, DURATION_S, PACED_RATE);
      runs.push({ ...r, route, tasksBefore: before.tasks, ...stopWatch() });
      console.log(`[api] ${backend} ${route} paced ${PACED_RATE}/s: p95 ${ms(r.latencyMs.p95)} ms, ${r.errors} errors`);
    }
    // Closed loop: every connection sends its next request as soon as the last one is answered.
    for (const connections of CONNECTIONS) {
      for (const route of ["trivial", "list", "create"] as const) {
        const before = await countTasks(server.databaseUrl);
        const stopWatch = server.watchMemory();
        const r = await runRoute(server, cookie, route, connections, DURATION_S);
        const mem = stopWatch();
        runs.push({ ...r, route, tasksBefore: before.tasks, ...mem });
        console.log(
          `[api] ${backend} ${route} c=${connections}: p95 ${ms(r.latencyMs.p95)} ms, ${num(r.requestsPerSecond, 0)} req/s, ${r.errors} errors`,
        );
      }
    }
    // What-if (not a fix, a measurement): a session that names its organization skips
    // ensureUserOrganization (a transaction with a per-user advisory lock) on every request.
    const top = CONNECTIONS[CONNECTIONS.length - 1] ?? 10;
    const sql = postgres(server.databaseUrl, { max: 1, prepare: false, onnotice: () => {} });
    await sql`
      update session s set active_organization_id = (
        select m.organization_id from member m where m.user_id = s.user_id order by m.created_at limit 1)
      where s.active_organization_id is null`;
    await sql.end({ timeout: 5 });
    {
      const before = await countTasks(server.databaseUrl);
      const stopWatch = server.watchMemory();
      const r = await runRoute(server, cookie, "listActiveOrg", top, DURATION_S);
      runs.push({ ...r, route: "listActiveOrg", tasksBefore: before.tasks, ...stopWatch() });
      console.log(`[api] ${backend} listActiveOrg c=${top}: p95 ${ms(r.latencyMs.p95)} ms, ${num(r.requestsPerSecond, 0)} req/s`);
    }
    const after = await countTasks(server.databaseUrl);
    return { backend, label: BACKEND_LABEL[backend], runs, eventsAccepted: after.events };
  } finally {
    await server.stop();
  }
}

export async function main(): Promise<void> {
  watchdog(9 * 60_000, "api benchmark");
  const started = Date.now();
  const results: BackendResult[] = [];
  for (const backend of await backends()) results.push(await onBackend(backend));

  const rows: string[][] = [];
  for (const r of results) {
    for (const run of r.runs) {
      const floor = r.runs.find((x) => x.route === "trivial" && x.connections === run.connections && x.rate === run.rate);
      rows.push([
        r.label,
        ROUTE_LABEL[run.route],
        run.rate ? `${run.connections} @ ${run.rate} req/s` : `${run.connections} (closed loop)`,
        `${ms(run.latencyMs.p50)} / ${ms(run.latencyMs.p95)} / ${ms(run.latencyMs.p99)}`,
        run.route === "trivial" || !floor ? "–" : ratio(run.latencyMs.p95, floor.latencyMs.p95),
        num(run.requestsPerSecond, 0),
        run.route === "trivial" || !floor ? "–" : ratio(floor.requestsPerSecond, run.requestsPerSecond),
        String(run.errors),
        String(run.tasksBefore),
        mib(run.nextPeakRss),
        r.backend === "pglite" ? mib(run.startPeakRss) : "–",
      ]);
    }
  }
  printTable(
    `API latency under load — next start (production build), autocannon ${DURATION_S} s per row on loopback; target p95 < ${TARGETS.apiP95Ms} ms`,
    [
      "database",
      "route",
      "load",
      "p50 / p95 / p99 ms",
      "p95 ÷ trivial",
      "req/s",
      "trivial req/s ÷ this",
      "errors",
      "tasks in DB",
      "next-server peak RSS",
      "PGlite host peak RSS",
    ],
    rows,
  );
  const file = writeResult(NAME, {
    benchmark: NAME,
    generatedAt: new Date().toISOString(),
    durationMs: Date.now() - started,
    machine: await machine(),
    targets: { apiP95Ms: TARGETS.apiP95Ms },
    quick: QUICK,
    method:
      "Production build served by scripts/start.ts (next start) on loopback, one server per backend; autocannon in the bench process; " +
      "percentiles from every response time. POST sends squad/task.assigned to an accept-only local executor (events stored, no runs). " +
      "Peak RSS: max of 100 ms /proc samples and VmHWM after a reset, per row.",
    results,
  });
  console.log(`[api] wrote ${file} in ${Math.round((Date.now() - started) / 1000)} s`);
}

if (isMain(import.meta.url)) {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
