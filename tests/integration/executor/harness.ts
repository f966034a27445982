/**
 * Test harness for the local executor: a database (embedded PGlite, or a throwaway database on the
 * real PostgreSQL named by TEST_DATABASE_URL), a tiny node:http app serving test functions through
 * the real SDK (`inngest/node`), and the executor between them.
 *
 * Conformance mode: with `INNGEST_CONFORMANCE_URL=http://127.0.0.1:8288` (a real Inngest dev server,
 * `npx inngest-cli dev --no-discovery`, on the same machine so it can reach the test app on
 * loopback), no database or executor is started; the test app registers with that server and every
 * suite runs against it unchanged. Runs are then observed through the `inngest/function.finished` /
 * `.cancelled` events the server emits (a recorder function in the test app), so only final states
 * and outputs are visible; tests that look at executor internals (steps, leases, restarts, the
 * `/runs` API, the clock) are skipped with {@link itLocal}. Expect the errors suite to take minutes
 * there: a real server retries with production backoff (15 s, 30 s, …).
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { randomBytes } from "node:crypto";
import { PassThrough } from "node:stream";
import postgres from "postgres";
import { Inngest, type InngestFunction } from "inngest";
import { serve } from "inngest/node";
import { startEmbeddedPostgres } from "@/db/embedded";
import { startLocalExecutor, type LocalExecutor, type LocalExecutorOptions } from "@/inngest/local";

/** Base URL of a real Inngest dev server to test instead of the local executor (see the top of this file). */
export const conformanceUrl = process.env.INNGEST_CONFORMANCE_URL?.replace(/\/+$/, "") || undefined;
/** True when the suite drives inngest/local (the default). */
export const isLocal = conformanceUrl === undefined;
/** `it` for tests that need inngest/local itself (its API, database, clock or restarts); skipped in conformance mode. */
export const itLocal: jest.It = isLocal ? it : it.skip;
/** Default patience for a run to finish, in ms (a real server retries with production backoff). */
export const RUN_TIMEOUT_MS = isLocal ? 10_000 : 240_000;

export type DbTarget = { name: string; start(): Promise<{ url: string; stop(): Promise<void> }> };

const localTargets: DbTarget[] = [
  {
    name: "pglite",
    async start() {
      const db = await startEmbeddedPostgres();
      return { url: db.url, stop: () => db.stop() };
    },
  },
  ...(process.env.TEST_DATABASE_URL
    ? [
        {
          name: "postgres",
          async start() {
            return freshPostgresDatabase(process.env.TEST_DATABASE_URL ?? "");
          },
        },
      ]
    : []),
];

/** PGlite always and the real PostgreSQL too when TEST_DATABASE_URL is set; in conformance mode, the remote server only. */
export const dbTargets: DbTarget[] = isLocal
  ? localTargets
  : [{ name: `remote ${conformanceUrl}`, start: async () => ({ url: "", stop: async () => {} }) }];

/**
 * A throwaway database on the server of `baseUrl`, dropped by `stop()`. Falls back to dropping and
 * recreating schema `inngest_local` in the given database when CREATE DATABASE is not allowed.
 */
async function freshPostgresDatabase(baseUrl: string): Promise<{ url: string; stop(): Promise<void> }> {
  const admin = postgres(baseUrl, { max: 1, prepare: false, onnotice: () => {} });
  const name = `inngest_local_test_${process.pid}_${randomBytes(4).toString("hex")}`;
  try {
    await admin.unsafe(`CREATE DATABASE ${name}`);
  } catch {
    await admin.unsafe("DROP SCHEMA IF EXISTS inngest_local CASCADE");
    await admin.end();
    return { url: baseUrl, stop: async () => {} };
  }
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async stop() {
      await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}

const silentLogger = { info() {}, warn() {}, error() {}, debug() {} };

export type AppFactory = (inngest: Inngest) => InngestFunction.Any[];

export type Harness = {
  inngest: Inngest;
  /** The local executor (throws in conformance mode: guard with {@link isLocal} / {@link itLocal}). */
  executor: LocalExecutor;
  /** Base URL of the server under test (the local executor, or the conformance server). */
  url: string;
  /** True when the server under test is inngest/local. */
  local: boolean;
  databaseUrl: string;
  appUrl: string;
  logs: string[];
  /** Every request the app received: method, URL, headers and raw body. */
  requests: { method: string; url: string; headers: http.IncomingHttpHeaders; body: string }[];
  /** Stops the executor and starts a new one on the same database and port. */
  restartExecutor(): Promise<void>;
  /** Stops the executor only (the app keeps serving); `startExecutor()` starts a new one on the same port. */
  stopExecutor(): Promise<void>;
  startExecutor(): Promise<void>;
  /** Stops everything this harness started. */
  stop(): Promise<void>;
};

/** Options of {@link startHarness}. */
export type HarnessOptions = {
  /** Backoff base for the local executor, in ms (default 20). */
  retryBaseDelayMs?: number;
  /** Executor signing key: the executor signs calls and the app's SDK runs in cloud mode. */
  signingKey?: string;
  /** The key the app's SDK uses (default: `signingKey`); set a different one to test rejection. */
  appSigningKey?: string;
  /** Cron clock for the local executor, epoch ms. */
  cronClock?: () => number;
  /** Client id of the test app (default `exec-test`): function ids are `<id>-<fn>`. */
  appId?: string;
};

export type RunJson = {
  id: string;
  function_id: string;
  status: string;
  event_name: string;
  event: { name: string; data: Record<string, unknown>; id: string };
  output: unknown;
  error: { name?: string; message?: string } | null;
  steps: { id: string; name: string | null; op: string; status: string; attempts: number; result: unknown }[];
};

/** What the recorder saw of one run (conformance mode). */
type Recorded = RunJson;

/**
 * Starts app + executor on `db` (in conformance mode: app only, registered with the remote server).
 * Function ids get the client id prefix `exec-test-`.
 */
export async function startHarness(db: { url: string }, factory: AppFactory, opts: HarnessOptions = {}): Promise<Harness> {
  const appId = opts.appId ?? "exec-test";
  const logs: string[] = [];
  const requests: Harness["requests"] = [];
  const recorded = new Map<string, Recorded>();
  const log = (msg: string) => {
    logs.push(msg);
    if (process.env.DEBUG_EXECUTOR) console.log(`[executor] ${msg}`);
  };
  let handler: http.RequestListener = (_req, res) => {
    res.writeHead(503);
    res.end();
  };
  const app = http.createServer((req, res) => {
    // Keep a copy of each request: read the body, then hand the SDK a replay of it (it reads the
    // body with req.on("data"/"end") after some awaits, so it cannot share the original stream).
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      requests.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body: body.toString("utf8") });
      if (requests.length > 2000) requests.splice(0, 1000);
      if (process.env.DEBUG_EXECUTOR) {
        const started = Date.now();
        log(`app <- ${req.method} ${req.url}`);
        res.on("finish", () => log(`app -> ${res.statusCode} ${req.url} in ${Date.now() - started} ms`));
        res.on("close", () => log(`app closed ${req.url}`));
      }
      const replay = new PassThrough();
      replay.end(body);
      Object.assign(replay, { headers: req.headers, method: req.method, url: req.url, socket: req.socket });
      handler(replay as unknown as http.IncomingMessage, res);
    });
  });
  await new Promise<void>((resolve) => app.listen(0, "127.0.0.1", resolve));
  const appUrl = `http://127.0.0.1:${(app.address() as AddressInfo).port}/api/inngest`;

  const start = (port: number) => {
    const options: LocalExecutorOptions = {
      databaseUrl: db.url,
      appUrl,
      port,
      pollIntervalMs: 20,
      retryBaseDelayMs: opts.retryBaseDelayMs ?? 20,
      syncOnStart: false,
      log,
      ...(opts.signingKey ? { signingKey: opts.signingKey } : {}),
      ...(opts.cronClock ? { cronClock: opts.cronClock } : {}),
    };
    return startLocalExecutor(options);
  };
  let executor: LocalExecutor | null = isLocal ? await start(0) : null;
  const port = executor?.port ?? 0;
  const baseUrl = executor?.url ?? conformanceUrl ?? "";
  const appKey = opts.appSigningKey ?? opts.signingKey;
  // Cloud mode when signing: the SDK then verifies every call (what INNGEST_DEV=0 + INNGEST_BASE_URL do).
  const inngest = appKey
    ? new Inngest({ id: appId, isDev: false, baseUrl, signingKey: appKey, eventKey: "test-event-key", logger: silentLogger })
    : new Inngest({ id: appId, isDev: true, baseUrl, logger: silentLogger });
  const functions = factory(inngest);
  if (!isLocal) functions.push(recorder(inngest, appId, recorded));
  handler = serve({ client: inngest, functions }) as unknown as http.RequestListener;
  if (executor) await executor.sync();
  else {
    const res = await fetch(appUrl, { method: "PUT" });
    if (!res.ok) throw new Error(`sync with ${conformanceUrl} failed: HTTP ${res.status} ${await res.text()}`);
  }

  const harness: Harness & { recorded: Map<string, Recorded>; appId: string } = {
    inngest,
    get executor(): LocalExecutor {
      if (!executor) throw new Error("no local executor in conformance mode (use itLocal)");
      return executor;
    },
    url: baseUrl,
    local: isLocal,
    databaseUrl: db.url,
    appUrl,
    logs,
    requests,
    recorded,
    appId,
    async restartExecutor() {
      await harness.stopExecutor();
      await harness.startExecutor();
    },
    async stopExecutor() {
      await executor?.stop();
    },
    async startExecutor() {
      if (!isLocal) throw new Error("cannot start an executor in conformance mode");
      executor = await start(port);
    },
    async stop() {
      await executor?.stop();
      await new Promise<void>((resolve) => {
        app.close(() => resolve());
        app.closeAllConnections();
      });
    },
  };
  return harness;
}

/**
 * A function that records how every other run of the app ended, from the events the server emits
 * (conformance mode, where there is no `/runs` API).
 */
function recorder(inngest: Inngest, appId: string, recorded: Map<string, Recorded>): InngestFunction.Any {
  const self = `${appId}-__recorder`;
  return inngest.createFunction(
    {
      id: "__recorder",
      retries: 0,
      triggers: [
        { event: "inngest/function.finished", if: `event.data.function_id != '${self}'` },
        { event: "inngest/function.cancelled", if: `event.data.function_id != '${self}'` },
      ],
    },
    async ({ event }) => {
      const data = event.data as Record<string, unknown>;
      const runId = String(data.run_id ?? "");
      const trigger = (data.event ?? {}) as RunJson["event"];
      const error = (data.error ?? null) as RunJson["error"];
      const prev = recorded.get(runId);
      const status =
        event.name === "inngest/function.cancelled" || prev?.status === "cancelled"
          ? "cancelled"
          : error
            ? "failed"
            : "completed";
      recorded.set(runId, {
        id: runId,
        function_id: String(data.function_id ?? ""),
        status,
        event_name: trigger.name ?? "",
        event: trigger,
        output: "result" in data ? data.result : (prev?.output ?? null),
        error: prev?.error ?? error,
        steps: [],
      });
      return null;
    },
  );
}

function hidden(h: Harness): { recorded: Map<string, Recorded>; appId: string } {
  return h as unknown as { recorded: Map<string, Recorded>; appId: string };
}

/** GET a JSON path on the local executor. */
export async function getJson<T>(h: Harness, path: string): Promise<T> {
  const res = await fetch(`${h.executor.url}${path}`, { headers: { accept: "application/json" } });
  return (await res.json()) as T;
}

/**
 * Runs of one function (id without the app prefix), newest first. In conformance mode only runs
 * that ended are known (from the recorder), with no steps.
 */
export async function runsOf(h: Harness, fnId: string): Promise<RunJson[]> {
  const { recorded, appId } = hidden(h);
  if (!h.local) {
    return [...recorded.values()].filter((r) => r.function_id === `${appId}-${fnId}`).sort((a, b) => (a.id < b.id ? 1 : -1));
  }
  const body = await getJson<{ runs: RunJson[] }>(h, `/runs?function=${appId}-${fnId}&limit=100`);
  return body.runs;
}

/**
 * Waits until a run of `fnId` is parked (sleeping or waiting for an event). The local executor says
 * so; against a real server the test waits `settleMs` after `ready()` holds, since the state is not
 * observable there.
 */
export async function untilParked(
  h: Harness,
  fnId: string,
  opts: { count?: number; ready?: () => boolean; settleMs?: number } = {},
): Promise<void> {
  const count = opts.count ?? 1;
  if (h.local) {
    await waitFor(`${count} parked run(s) of ${fnId}`, async () => (await runsOf(h, fnId)).filter((r) => r.status === "waiting").length >= count);
    return;
  }
  if (opts.ready) await waitFor(`${fnId} to reach its wait`, async () => opts.ready?.() === true, RUN_TIMEOUT_MS);
  await new Promise((r) => setTimeout(r, opts.settleMs ?? 1_500));
}

/** Polls `check` until it returns a value other than undefined/false, or throws after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined | false>,
  timeoutMs = 10_000,
  intervalMs = 25,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}${last instanceof Error ? ` (last error: ${last.message})` : ""}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Waits until the function has a run in a final state and returns the newest such run. */
export async function waitForRun(
  h: Harness,
  fnId: string,
  predicate: (run: RunJson) => boolean = (r) => ["completed", "failed", "cancelled"].includes(r.status),
  timeoutMs = RUN_TIMEOUT_MS,
): Promise<RunJson> {
  try {
    return await waitFor(`a run of ${fnId}`, async () => (await runsOf(h, fnId)).find(predicate), timeoutMs);
  } catch (err) {
    // Show what the executor saw: the runs and its log.
    const runs = await runsOf(h, fnId).catch(() => []);
    const detail = h.local ? await Promise.all(runs.slice(0, 3).map((r) => getJson<unknown>(h, `/runs/${r.id}`).catch(() => r))) : runs;
    throw new Error(
      `${err instanceof Error ? err.message : String(err)}\nruns: ${JSON.stringify(detail, null, 1)}\nlog:\n${h.logs.slice(-30).join("\n")}`,
    );
  }
}

/** A promise with its resolver, to hold a step open until the test releases it. */
export function gate(): { promise: Promise<void>; open(): void } {
  let open = () => {};
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}
