/**
 * `inngest/local` — a durable Inngest executor for the embedded default (the Inngest dev server
 * cannot be installed here). It speaks the Inngest SDK's HTTP protocol to the app's serve endpoint
 * (`/api/inngest`), exactly like Inngest Cloud or `inngest dev` would, and keeps all state in
 * Postgres (schema `inngest_local`, created on start), so a restarted executor resumes every run
 * where it left off and never executes a step whose result was stored.
 *
 * Point the app's SDK at it with `INNGEST_DEV=<executor url>`, or — with a signing key — in cloud
 * mode with the variables {@link sdkEnv} returns (`INNGEST_DEV=0`, `INNGEST_BASE_URL`, keys).
 *
 * Implemented: event triggers with CEL `expression` (and `/*`, `.*` wildcards), cron triggers
 * (`TZ=` prefix), `retries`, `onFailure`, `concurrency` (`limit` + optional CEL `key`, scope `fn`),
 * `cancelOn`, `idempotency`, `timeouts` (`start`, `finish`); steps `step.run`, `step.sendEvent`,
 * `step.sleep`/`sleepUntil`, `step.waitForEvent` (CEL `if`), `step.invoke`, parallel steps;
 * function-level errors with backoff, `NonRetriableError`, `RetryAfterError`; emitted
 * `inngest/function.failed`, `.finished`, `.cancelled` events; request signing.
 * Rejected at sync (with the reason in the sync answer): `batchEvents`, `rateLimit`, `throttle`,
 * `singleton`, `debounce`, `priority`, cron `jitter`, non-`fn` concurrency scopes, connect.
 * Failed at run time with a clear error: `step.ai.infer`, `step.fetch` gateway, `waitForSignal`,
 * `defer`.
 */
import type { AddressInfo } from "node:net";
import postgres from "postgres";
import { Engine } from "./engine";
import { httpRequest } from "./http-client";
import { migrate } from "./migrations";
import { createExecutorServer, type SyncState } from "./server";
import { signBody, signingKeyProblem } from "./signing";
import { Store } from "./store";
import { syncResponseSchema } from "./wire";

export type LocalExecutorOptions = {
  /** postgres:// URL (a real PostgreSQL 15+, or embedded PGlite behind pglite-socket). */
  databaseUrl: string;
  /** The SDK serve endpoint, e.g. http://127.0.0.1:3000/api/inngest. */
  appUrl: string;
  /** TCP port; 0 picks a free one. Default 8288 (the Inngest dev server's port). */
  port?: number;
  /** Interface to listen on. Default 127.0.0.1. */
  host?: string;
  /** How often the scheduler looks for due work, in ms (it is also woken by events). Default 50. */
  pollIntervalMs?: number;
  /** Retry backoff base in ms: retries wait base, 2×base, 4×base, … plus jitter. Default 15 000. */
  retryBaseDelayMs?: number;
  /** PUT `appUrl` on start so the app registers its functions, retrying until the app answers. Default true. */
  syncOnStart?: boolean;
  /**
   * How long claimed work stays with an executor that stops renewing it (one that crashed) before
   * another executor takes it over, in ms. Renewed every third of it while a call is in flight.
   * Default 30 000. A cleanly stopped executor hands its work back at once.
   */
  leaseMs?: number;
  /** Log sink. Default: console.log with an `[inngest/local]` prefix. */
  log?: (msg: string) => void;
  /**
   * Inngest signing key (`signkey-<env>-<hex>`, e.g. `INNGEST_SIGNING_KEY`). When set, every call to
   * the app is signed exactly as Inngest Cloud signs it, the app's signed answers are verified, and
   * `POST /fn/register` (plus the SDK's `/v0` API) require `Authorization: Bearer <hashed key>` — so
   * the app's SDK must run in cloud mode (see {@link sdkEnv}). Unset: dev mode, nothing is signed.
   */
  signingKey?: string;
  /** A second key accepted while rotating keys (`INNGEST_SIGNING_KEY_FALLBACK`); never used to sign. */
  signingKeyFallback?: string;
  /**
   * Clock for cron schedules only, epoch ms. Default `Date.now`. Tests drive cron ticks with it;
   * sleeps, waits, retries and leases always use the real clock.
   */
  cronClock?: () => number;
};

export type LocalExecutor = {
  /** Base URL of the executor, e.g. http://127.0.0.1:8288 — the value for `INNGEST_DEV`. */
  url: string;
  port: number;
  /**
   * Syncs the app now: `PUT appUrl`, which makes the SDK register its functions here.
   * @throws Error when the app cannot be reached, rejects the sync (e.g. a function uses an option
   *   this executor does not implement — the message lists them), or registered somewhere else
   */
  sync(): Promise<void>;
  /**
   * Stops scheduling, then serving. With `drainMs`, calls in flight may finish for up to that long
   * (events they send are still accepted meanwhile); what is left is abandoned and its work released
   * for the next start. Idempotent (a second call returns the first one's promise).
   */
  stop(opts?: { drainMs?: number }): Promise<void>;
};

/**
 * The environment the app's Inngest SDK (v4) needs to talk to this executor.
 * - without a signing key: dev mode, `INNGEST_DEV=<url>`;
 * - with one: cloud mode, so the SDK verifies every call — `INNGEST_DEV=0` (v4 reads `0` as "not dev"),
 *   `INNGEST_BASE_URL=<url>` (v4 derives both the API and the event API from it; the spec's
 *   `INNGEST_API_ORIGIN`/`INNGEST_EVENT_API_ORIGIN` are not read by v4), the signing key, and an event
 *   key (cloud mode refuses to send events without one; the executor accepts any).
 */
export function sdkEnv(executorUrl: string, keys: { signingKey?: string; eventKey?: string } = {}): Record<string, string> {
  if (!keys.signingKey) return { INNGEST_DEV: executorUrl };
  return {
    INNGEST_DEV: "0",
    INNGEST_BASE_URL: executorUrl,
    INNGEST_SIGNING_KEY: keys.signingKey,
    INNGEST_EVENT_KEY: keys.eventKey || "local",
  };
}

/** Default lease on a queue item; renewed every third of it while the call is in flight. */
const LEASE_MS = 30_000;
/** Calls to the app in flight at once. */
const MAX_CONCURRENT_CALLS = 16;
/** Upper bound for one call to the app (a step running longer counts as a failed attempt). */
const CALL_TIMEOUT_MS = 2 * 60 * 60 * 1000;

/** An error from {@link LocalExecutor.sync}; `retryable` is false once the app has answered. */
class SyncError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = "SyncError";
  }
}

/**
 * Starts the executor: migrates schema `inngest_local`, listens on `host:port`, starts the
 * scheduler and (unless `syncOnStart: false`) syncs the app in the background. With `syncOnStart`
 * (the default) the scheduler starts calling the app only once the app has answered the sync; with
 * `syncOnStart: false` it starts at once and the caller syncs when the app is up.
 * @throws Error when the database is unreachable, migration fails, or the port is taken
 */
export async function startLocalExecutor(opts: LocalExecutorOptions): Promise<LocalExecutor> {
  const log = opts.log ?? ((msg: string) => console.log(`[inngest/local] ${msg}`));
  const host = opts.host ?? "127.0.0.1";
  const signingKeys = [opts.signingKey, opts.signingKeyFallback].filter((k): k is string => Boolean(k));
  if (opts.signingKeyFallback && !opts.signingKey) throw new Error("inngest/local: signingKeyFallback needs signingKey");
  for (const key of signingKeys) {
    const problem = signingKeyProblem(key);
    if (problem) throw new Error(`inngest/local: ${problem}`);
  }
  const cronNow = opts.cronClock ?? Date.now;
  const sql = postgres(opts.databaseUrl, {
    max: 6,
    // Embedded PGlite multiplexes every client onto one backend, where named prepared statements of
    // different connections would collide; unnamed statements are safe everywhere.
    prepare: false,
    onnotice: () => {},
    connection: { application_name: "inngest-local" },
  });
  try {
    await migrate(sql);
  } catch (err) {
    await sql.end({ timeout: 1 }).catch(() => {});
    throw new Error(`inngest/local: cannot prepare schema inngest_local: ${err instanceof Error ? err.message : String(err)}`);
  }

  const store = new Store(sql, { retryBaseDelayMs: opts.retryBaseDelayMs ?? 15_000, cronNow, log });
  const engine = new Engine({
    store,
    log,
    pollIntervalMs: opts.pollIntervalMs ?? 50,
    leaseMs: Math.max(opts.leaseMs ?? LEASE_MS, 300),
    maxConcurrentCalls: MAX_CONCURRENT_CALLS,
    callTimeoutMs: CALL_TIMEOUT_MS,
    signingKeys,
    cronNow,
  });

  let registers = 0;
  let syncState: SyncState = { state: opts.syncOnStart === false ? "disabled" : "pending", at: null, error: null };
  const syncAborts = new Set<AbortController>();
  let stopped = false;
  let executorUrl = "";

  async function sync(): Promise<void> {
    const before = registers;
    const controller = new AbortController();
    syncAborts.add(controller);
    let res;
    try {
      const headers: Record<string, string> = {
        "content-type": "application/json",
        "x-inngest-server-kind": opts.signingKey ? "cloud" : "dev",
      };
      // The PUT has no body; signed over the empty body, as the SDK checks it when it checks at all.
      if (opts.signingKey) headers["x-inngest-signature"] = signBody(opts.signingKey, "");
      res = await httpRequest(opts.appUrl, {
        method: "PUT",
        headers,
        signal: controller.signal,
        timeoutMs: 120_000,
      });
    } catch (err) {
      const failure = new SyncError(`cannot reach the app at ${opts.appUrl}: ${err instanceof Error ? err.message : String(err)}`, true);
      syncState = { state: "failed", at: new Date().toISOString(), error: failure.message };
      throw failure;
    } finally {
      syncAborts.delete(controller);
    }
    let message: string | undefined;
    try {
      const parsed = syncResponseSchema.safeParse(JSON.parse(res.body));
      message = parsed.success ? parsed.data.message : undefined;
    } catch {
      message = res.body.slice(0, 500);
    }
    if (res.status < 200 || res.status >= 300) {
      const retryable = res.status >= 500 || res.status === 404 || res.status === 408 || res.status === 429;
      const err = new SyncError(`sync of ${opts.appUrl} failed: HTTP ${res.status}: ${message ?? "(no message)"}`, retryable);
      syncState = { state: "failed", at: new Date().toISOString(), error: err.message };
      throw err;
    }
    if (registers === before) {
      const err = new SyncError(
        `the app at ${opts.appUrl} answered the sync but did not register with this executor; ` +
          `point its Inngest client here with ` +
          (opts.signingKey ? `INNGEST_DEV=0 INNGEST_BASE_URL=${executorUrl} (and the same INNGEST_SIGNING_KEY)` : `INNGEST_DEV=${executorUrl}`),
        false,
      );
      syncState = { state: "failed", at: new Date().toISOString(), error: err.message };
      throw err;
    }
    syncState = { state: "ok", at: new Date().toISOString(), error: null };
  }

  const server = createExecutorServer({
    store,
    log,
    kick: () => engine.kick(),
    onRegistered: () => {
      registers++;
      // An app that registers is up: start calling it even if our own sync has not got through yet.
      engine.start();
      engine.cronsChanged();
    },
    signingKeys,
    sync,
    syncState: () => syncState,
  });

  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(opts.port ?? 8288, host, () => {
        server.off("error", reject);
        resolve();
      });
    });
  } catch (err) {
    await sql.end({ timeout: 1 }).catch(() => {});
    const code = err && typeof err === "object" && "code" in err ? String(err.code) : "";
    throw new Error(
      code === "EADDRINUSE"
        ? `inngest/local: port ${opts.port ?? 8288} on ${host} is already in use (is another executor or the Inngest dev server running?)`
        : `inngest/local: cannot listen on ${host}:${opts.port ?? 8288}: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(":") ? `[${host}]` : host;
  executorUrl = `http://${urlHost === "0.0.0.0" ? "127.0.0.1" : urlHost}:${port}`;
  // With syncOnStart, no call goes to the app before it has synced: after a restart the app may
  // still be booting, or serve at a new URL, and calling it early would burn the runs' retries.
  if (opts.syncOnStart === false) engine.start();
  log(
    `listening on ${executorUrl} (${opts.signingKey ? `signed; SDK in cloud mode with INNGEST_DEV=0 INNGEST_BASE_URL=${executorUrl}` : `INNGEST_DEV=${executorUrl}`}); app ${opts.appUrl}`,
  );

  if (opts.syncOnStart !== false) {
    void (async () => {
      let delay = 250;
      for (let attempt = 1; !stopped; attempt++) {
        try {
          await sync();
          if (!stopped) engine.start();
          return;
        } catch (err) {
          if (stopped) return;
          const retryable = err instanceof SyncError ? err.retryable : true;
          const message = err instanceof Error ? err.message : String(err);
          if (!retryable) {
            // The app answered but refused (or registered elsewhere): runs of the functions already
            // registered still go on.
            log(`sync failed: ${message}`);
            engine.start();
            return;
          }
          if (attempt === 1 || attempt % 20 === 0) log(`waiting for the app to answer the sync (${message})`);
          syncState = { state: "pending", at: new Date().toISOString(), error: message };
        }
        await new Promise((r) => setTimeout(r, delay).unref?.());
        delay = Math.min(delay * 2, 5_000);
      }
    })();
  }

  let stopping: Promise<void> | undefined;
  return {
    url: executorUrl,
    port,
    sync,
    stop(stopOpts = {}) {
      stopping ??= (async () => {
        stopped = true;
        for (const c of syncAborts) c.abort();
        // Scheduling first: a draining step may still send events to this server.
        await engine.stop({ drainMs: stopOpts.drainMs });
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        await sql.end({ timeout: 5 });
        log("stopped");
      })();
      return stopping;
    },
  };
}
