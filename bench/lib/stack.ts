/**
 * The in-process backend the workflow and live-update benchmarks drive (the same shape as the
 * integration tests' `tests/fixtures/stack.ts`): a throwaway database, migrations, the app's real App
 * Router route handlers on a loopback node:http server (Next's routing is the only part stood in for),
 * and optionally the local Inngest executor driving `/api/inngest`. Adds two bench-only routes used as
 * floors — `GET /bench/noop` (200 "ok") and `GET /bench/sse` (a bare SSE stream fed from memory) — and
 * times every call the executor makes to `/api/inngest`.
 *
 * Sets `process.env` before any app module loads, so a process can host one stack only.
 */
import { EventEmitter } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { route, startAppServer, type Route } from "../../tests/fixtures/app-server";
import type { Backend } from "./common";
import { createBenchDatabase, type BenchDatabase } from "./database";

export type InngestCall = { startedAt: number; ms: number; status: number; requestBytes: number };

type BenchGlobals = { __benchInngestCalls?: InngestCall[]; __benchSse?: EventEmitter };
const g = globalThis as unknown as BenchGlobals;

/** Every call the executor made to `/api/inngest` in this process, with its server-side duration. */
export function inngestCalls(): InngestCall[] {
  g.__benchInngestCalls ??= [];
  return g.__benchInngestCalls;
}

/** The in-memory source of `GET /bench/sse`: every `emit("msg", text)` is sent as one `data:` line. */
export function benchSse(): EventEmitter {
  if (!g.__benchSse) {
    g.__benchSse = new EventEmitter();
    g.__benchSse.setMaxListeners(0);
  }
  return g.__benchSse;
}

type Handler = (req: Request, args: { params: Promise<Record<string, string>> }) => Promise<Response>;

const noopRoute = route("/bench/noop", async () => ({ GET: () => new Response("ok") }));

const sseRoute = route("/bench/sse", async () => ({
  GET: (req: Request) => {
    const encoder = new TextEncoder();
    let off = () => {};
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        const listener = (text: string) => controller.enqueue(encoder.encode(`data: ${text}\n\n`));
        benchSse().on("msg", listener);
        off = () => benchSse().off("msg", listener);
        req.signal.addEventListener("abort", () => {
          off();
          try {
            controller.close();
          } catch {
            // already closed
          }
        });
        controller.enqueue(encoder.encode("retry: 2000\n\n"));
      },
      cancel() {
        off();
      },
    });
    return new Response(body, { headers: { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache" } });
  },
}));

/** `/api/inngest` with each call timed on the server side (from request to response headers). */
const timedInngestRoute = route("/api/inngest", async () => {
  const mod = (await import("@/app/api/inngest/route")) as unknown as Record<string, Handler | undefined>;
  const wrap = (h: Handler | undefined): Handler | undefined =>
    h &&
    (async (req, args) => {
      const startedAt = performance.now();
      const res = await h(req, args);
      if (req.method === "POST") {
        const requestBytes = Number(req.headers.get("content-length") ?? 0);
        inngestCalls().push({ startedAt, ms: performance.now() - startedAt, status: res.status, requestBytes });
      }
      return res;
    });
  return { GET: wrap(mod.GET), POST: wrap(mod.POST), PUT: wrap(mod.PUT) };
});

const appRoutes: Route[] = [
  timedInngestRoute,
  route("/api/health", () => import("@/app/api/health/route")),
  route("/api/auth/[...all]", () => import("@/app/api/auth/[...all]/route")),
  route("/api/v1/tasks", () => import("@/app/api/v1/tasks/route")),
  route("/api/v1/tasks/[id]", () => import("@/app/api/v1/tasks/[id]/route")),
  route("/api/v1/tasks/[id]/events", () => import("@/app/api/v1/tasks/[id]/events/route")),
  route("/api/v1/repositories", () => import("@/app/api/v1/repositories/route")),
  route("/api/webhooks/github/[repositoryId]", () => import("@/app/api/webhooks/github/[repositoryId]/route")),
  noopRoute,
  sseRoute,
];

export type Client = {
  cookie: string;
  email: string;
  fetch(pathname: string, init?: RequestInit): Promise<Response>;
  json<T = unknown>(pathname: string, init?: RequestInit): Promise<{ status: number; body: T }>;
};

export type BenchStack = {
  url: string;
  port: number;
  dataDir: string;
  database: BenchDatabase;
  executorUrl: string | null;
  signUp(name: string): Promise<Client>;
  stop(): Promise<void>;
};

let counter = 0;

/**
 * Boots the stack. With `executor: false` nothing runs workflows and `INNGEST_DEV` points nowhere, so
 * only code paths that do not send events may be used (the live-update benchmark inserts tasks directly).
 */
export async function startBenchStack(kind: Backend, opts: { executor: boolean }): Promise<BenchStack> {
  const dataDir = mkdtempSync(path.join(tmpdir(), "squadron-bench-"));
  const database = await createBenchDatabase(kind);
  const app = await startAppServer(appRoutes);
  for (const key of ["OPENAI_API_KEY", "ANTHROPIC_API_KEY", "INNGEST_SIGNING_KEY", "INNGEST_EVENT_KEY", "DATABASE_DEBUG"]) {
    delete process.env[key];
  }
  Object.assign(process.env, {
    NODE_ENV: "production",
    NEXT_TELEMETRY_DISABLED: "1",
    DATA_DIR: dataDir,
    DATABASE_URL: database.url,
    BETTER_AUTH_SECRET: "bench-secret-bench-secret-bench-secret-0123456789",
    APP_URL: app.url,
    OFFLINE_MODEL_LATENCY_MS: "0",
    // Load generators are one user: count every request like production does (one upsert into
    // rate_limit_counters each), with a limit no run reaches.
    API_RATE_LIMIT_PER_MINUTE: "1000000000",
  });
  const { runMigrations } = await import("@/db/migrate");
  let executor: { url: string; sync(): Promise<void>; stop(): Promise<void> } | null = null;
  if (opts.executor) {
    const { startLocalExecutor } = await import("@/inngest/local");
    executor = await startLocalExecutor({
      databaseUrl: database.url,
      appUrl: `${app.url}/api/inngest`,
      port: 0,
      retryBaseDelayMs: 1_000,
      syncOnStart: false,
      log: (m: string) => {
        if (!/^(listening|synced|stopped)/.test(m)) console.log(`[inngest/local] ${m}`);
      },
    });
    process.env.INNGEST_DEV = executor.url;
  } else {
    process.env.INNGEST_DEV = "http://127.0.0.1:9"; // discard port: nothing may send events
  }
  await runMigrations(database.url);
  await executor?.sync();

  const clientFor = (cookie: string, email: string): Client => {
    const f = (pathname: string, init: RequestInit = {}) => {
      const headers = new Headers(init.headers);
      if (cookie) headers.set("cookie", cookie);
      if (init.body && !headers.has("content-type")) headers.set("content-type", "application/json");
      headers.set("origin", app.url);
      return fetch(`${app.url}${pathname}`, { ...init, headers });
    };
    return {
      cookie,
      email,
      fetch: f,
      async json<T>(pathname: string, init?: RequestInit) {
        const res = await f(pathname, init);
        const text = await res.text();
        return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
      },
    };
  };

  return {
    url: app.url,
    port: app.port,
    dataDir,
    database,
    executorUrl: executor?.url ?? null,
    async signUp(name) {
      counter += 1;
      const email = `bench${counter}-${Date.now()}@example.test`;
      const res = await fetch(`${app.url}/api/auth/sign-up/email`, {
        method: "POST",
        headers: { "content-type": "application/json", origin: app.url },
        body: JSON.stringify({ name, email, password: "correct-horse-battery" }),
      });
      if (!res.ok) throw new Error(`sign-up failed: ${res.status} ${await res.text()}`);
      const cookie = res.headers
        .getSetCookie()
        .map((c) => c.split(";")[0])
        .join("; ");
      return clientFor(cookie, email);
    },
    async stop() {
      await executor?.stop();
      await app.close();
      const { closeDb } = await import("@/db/client");
      await closeDb();
      await database.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
