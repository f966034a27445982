import { randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import path from "node:path";
import postgres from "postgres";
import { z } from "zod";
import { discoverRoutes, startAppServer } from "./app-server";

/** An API client signed in as one user (better-auth session cookie), as the browser or CLI would be. */
export type ApiClient = {
  fetch(pathname: string, init?: RequestInit): Promise<Response>;
  /** JSON request → `{ status, body }`; throws on a status other than `expect` (when given). */
  json<T = unknown>(pathname: string, init?: RequestInit & { expect?: number }): Promise<{ status: number; body: T }>;
};

export type Squadron = {
  /** Origin of the app (its real App Router route handlers on a loopback port). */
  url: string;
  dataDir: string;
  databaseUrl: string;
  /** A small read-only connection to the embedded database, for figures the API does not show. */
  sql: postgres.Sql;
  /** Signs a user up through `POST /api/auth/sign-up/email` (which provisions the organization and default squad). */
  signUp(name: string, email: string): Promise<ApiClient>;
  /** Resolves once the workflow executor has no queued or running run (or after `timeoutMs`). */
  idle(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
};

/**
 * Boots Squadron in this process the way `npm start` does, isolated under `dataDir`: embedded
 * PostgreSQL (PGlite, on disk in `<dataDir>/pglite`), migrations, the app's API route handlers served
 * on a loopback port (Next's router is the only part stood in for; no `next build` needed), and the
 * local Inngest executor driving `/api/inngest`. Repositories may live under `<dataDir>/repos`.
 *
 * Sets `process.env` (DATA_DIR, DATABASE_URL, APP_URL, … plus `env`) before any app module loads,
 * so a process boots one Squadron only, and nothing of the app may be imported before this call.
 */
export async function bootSquadron(opts: { dataDir: string; env?: Record<string, string>; log?: (msg: string) => void }): Promise<Squadron> {
  const dataDir = path.resolve(opts.dataDir);
  mkdirSync(path.join(dataDir, "repos"), { recursive: true });
  const log = opts.log ?? (() => {});
  const { startEmbeddedPostgres } = await import("@/db/embedded");
  const embedded = await startEmbeddedPostgres({ dataDir: path.join(dataDir, "pglite") });
  const app = await startAppServer(discoverRoutes());
  Object.assign(process.env, {
    NEXT_TELEMETRY_DISABLED: "1",
    DATA_DIR: dataDir,
    DATABASE_URL: embedded.url,
    DATABASE_POOL_MAX: "5",
    BETTER_AUTH_SECRET: randomBytes(32).toString("hex"),
    APP_URL: app.url,
    // The harness polls its tasks; the per-key rate limit is for the public API.
    API_RATE_LIMIT_PER_MINUTE: "0",
    // Tiny repositories: indexing them would only add time and embedding calls to every task.
    KNOWLEDGE_AUTO_INDEX: "false",
    // The app's structured log (every run started/completed) would drown the harness's own lines.
    LOG_LEVEL: process.env.LOG_LEVEL ?? "warn",
    ...opts.env,
  });
  const { startLocalExecutor } = await import("@/inngest/local");
  const executor = await startLocalExecutor({
    databaseUrl: embedded.url,
    appUrl: `${app.url}/api/inngest`,
    port: 0,
    retryBaseDelayMs: 1_000,
    syncOnStart: false,
    log: process.env.EVAL_DEBUG ? (m: string) => log(`executor: ${m}`) : () => {},
  });
  process.env.INNGEST_DEV = executor.url;
  const { runMigrations } = await import("@/db/migrate");
  await runMigrations(embedded.url);
  await executor.sync();
  const sql = postgres(embedded.url, { prepare: false, max: 1, onnotice: () => {} });
  log(`app at ${app.url}, executor at ${executor.url}, data in ${dataDir}`);

  const clientFor = (cookie: string): ApiClient => {
    const f = (pathname: string, init: RequestInit = {}) => {
      const headers = new Headers(init.headers);
      headers.set("cookie", cookie);
      if (init.body && !headers.has("content-type")) headers.set("content-type", "application/json");
      headers.set("origin", app.url);
      return fetch(`${app.url}${pathname}`, { ...init, headers });
    };
    return {
      fetch: f,
      async json<T>(pathname: string, init: RequestInit & { expect?: number } = {}) {
        const { expect, ...rest } = init;
        const res = await f(pathname, rest);
        const text = await res.text();
        if (expect !== undefined && res.status !== expect) throw new Error(`${rest.method ?? "GET"} ${pathname} → ${res.status}: ${text.slice(0, 500)}`);
        return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
      },
    };
  };

  const health = z.object({ runs: z.object({ queued: z.number(), running: z.number() }) });
  const idle = async (timeoutMs = 10_000) => {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const body: unknown = await fetch(`${executor.url}/health`).then((r) => r.json(), () => null);
      const runs = health.safeParse(body);
      if (!runs.success || runs.data.runs.queued + runs.data.runs.running === 0) return;
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  return {
    url: app.url,
    dataDir,
    databaseUrl: embedded.url,
    sql,
    async signUp(name, email) {
      const res = await fetch(`${app.url}/api/auth/sign-up/email`, {
        method: "POST",
        headers: { "content-type": "application/json", origin: app.url },
        body: JSON.stringify({ name, email, password: randomBytes(12).toString("hex") }),
      });
      if (!res.ok) throw new Error(`sign-up failed: ${res.status} ${await res.text()}`);
      return clientFor(
        res.headers
          .getSetCookie()
          .map((c) => c.split(";")[0])
          .join("; "),
      );
    },
    idle,
    async stop() {
      await idle(10_000); // runs still finishing (e.g. `squad/task.completed` handlers) end first
      await executor.stop();
      await app.close();
      await sql.end({ timeout: 5 });
      const { closeDb } = await import("@/db/client");
      await closeDb();
      await embedded.stop();
    },
  };
}
