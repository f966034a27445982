/**
 * Durable state of the local executor, in schema `inngest_local` (see migrations.ts), and every
 * state transition as one short transaction. Nothing here talks HTTP: the engine calls the app and
 * hands the outcome to {@link Store.applyOutcome}.
 *
 * Invariants:
 * - a step's memoized result (`steps.result`) is written once and never overwritten;
 * - at most one discovery call per run is queued or in flight (unique queue row, `generation`
 *   counter for "discover again when you are done");
 * - a queue item is worked on only under a lease (`lease_token`, `lease_until`); a result whose
 *   lease was lost is discarded;
 * - lock order is always run row → queue rows, so transactions cannot deadlock on each other
 *   (deadlocks across runs from emitted events are retried by {@link Store.tx}).
 */
import { randomBytes, createHash } from "node:crypto";
import type postgres from "postgres";
import { encodeTime, ulid } from "ulid";
import { z } from "zod";
import { celKey, celMatches, celSyntaxError } from "./cel";
import { nextFireAfter, parseCron } from "./cron";
import { eventNameMatches, type FunctionRecord } from "./functions";
import { backoffMs, parseDurationMs, resolveSleepUntil } from "./time";
import {
  errorJson,
  eventPayloadSchema,
  invokeOptsSchema,
  jsonObjectSchema,
  jsonSchema,
  toSerializedError,
  waitForEventOptsSchema,
  type EventPayload,
  type IncomingEvent,
  type Json,
  type JsonObject,
  type Op,
  type SerializedError,
} from "./wire";

type Tx = postgres.TransactionSql;
type Sql = postgres.Sql;

export type RunStatus = "queued" | "running" | "waiting" | "completed" | "failed" | "cancelled";
export const RUN_STATUSES: readonly RunStatus[] = ["queued", "running", "waiting", "completed", "failed", "cancelled"];
const ACTIVE_STATUSES: readonly RunStatus[] = ["queued", "running", "waiting"];

/**
 * `discover`/`step`: calls to the app; `sleep`/`wait`/`invoke`: step timers; `timeout`: run timeouts
 * (`step_hash` is `start` or `finish`).
 */
export type QueueKind = "discover" | "step" | "sleep" | "wait" | "invoke" | "timeout";

/** A memoized step result, exactly as sent back to the SDK in `steps`. */
export type StepResult = { data: Json } | { error: SerializedError };

/** How long an event `id` deduplicates later events with the same id. */
export const EVENT_DEDUPE_MS = 24 * 60 * 60 * 1000;
/** How long an idempotency key suppresses new runs of the same function. */
export const IDEMPOTENCY_MS = 24 * 60 * 60 * 1000;

const CLAIM_LOCK_KEY = 7_305_112_002;

/** Internal events the executor emits. */
export const INTERNAL_EVENTS = {
  failed: "inngest/function.failed",
  finished: "inngest/function.finished",
  cancelled: "inngest/function.cancelled",
  invoked: "inngest/function.invoked",
  scheduled: "inngest/scheduled.timer",
} as const;

/** A queue item leased to this executor. */
export type ClaimedItem = {
  id: string;
  runId: string;
  kind: QueueKind;
  stepHash: string;
  attempt: number;
  generation: number;
  leaseToken: string;
};

/** What calling the app produced, classified by the engine. */
export type CallOutcome =
  | { type: "complete"; output: Json }
  | { type: "ops"; ops: Op[]; retryAfterMs: number | null }
  | { type: "error"; retriable: boolean; retryAfterMs: number | null; error: SerializedError }
  | { type: "cancel"; reason: string };

/** Everything needed to call the app for one queue item. */
export type CallContext = {
  fn: FunctionRecord;
  runId: string;
  /** URL with `fnId` and `stepId` (`step` or the hashed step id). */
  url: string;
  /** JSON request body for the SDK. */
  body: {
    event: EventPayload;
    events: EventPayload[];
    steps: Record<string, StepResult>;
    ctx: {
      run_id: string;
      attempt: number;
      max_attempts: number;
      disable_immediate_execution: boolean;
      use_api: false;
      stack: { stack: string[]; current: number };
    };
  };
};

// --- stored row shapes (parsed, since jsonb comes back untyped) ---------------------------------------

const functionRowSchema = z.object({
  id: z.string(),
  app_id: z.string(),
  name: z.string(),
  url: z.string(),
  triggers: z.array(z.object({ event: z.string(), expression: z.string().optional() })),
  retries: z.number(),
  concurrency: z.array(z.object({ limit: z.number(), key: z.string().optional() })),
  cancel: z.array(z.object({ event: z.string(), if: z.string().optional(), timeout: z.string().optional() })),
  idempotency: z.string().nullable(),
  crons: z.array(z.object({ cron: z.string(), expression: z.string(), tz: z.string() })),
  timeouts: z.object({ startMs: z.number().optional(), finishMs: z.number().optional() }),
  config: jsonObjectSchema,
});

function toFunction(row: unknown): FunctionRecord {
  const r = functionRowSchema.parse(row);
  return {
    id: r.id,
    appId: r.app_id,
    name: r.name,
    url: r.url,
    triggers: r.triggers,
    crons: r.crons,
    retries: r.retries,
    concurrency: r.concurrency,
    cancel: r.cancel,
    idempotency: r.idempotency,
    timeouts: r.timeouts,
    config: r.config,
  };
}

const runRowSchema = z.object({
  id: z.string(),
  function_id: z.string(),
  event_internal_id: z.string(),
  event: eventPayloadSchema,
  status: z.enum(["queued", "running", "waiting", "completed", "failed", "cancelled"]),
  parallel: z.boolean(),
  stack: z.array(z.string()),
  concurrency_keys: z.array(z.string()),
  parent_run_id: z.string().nullable(),
  parent_step: z.string().nullable(),
  output: jsonSchema.nullable(),
  error: jsonSchema.nullable(),
  created_at: z.date(),
  started_at: z.date().nullable(),
  ended_at: z.date().nullable(),
  updated_at: z.date(),
});
type RunRow = z.infer<typeof runRowSchema>;

const stepResultSchema: z.ZodType<StepResult> = z.union([
  z.object({ data: jsonSchema }).strict(),
  z.object({ error: jsonObjectSchema.transform((e) => toSerializedError(e)) }).strict(),
]);

const stepRowSchema = z.object({
  hash: z.string(),
  op: z.string(),
  name: z.string().nullable(),
  display_name: z.string().nullable(),
  opts: jsonSchema.nullable(),
  status: z.string(),
  result: stepResultSchema.nullable(),
  attempts: z.number(),
  last_error: jsonSchema.nullable(),
  created_at: z.date(),
  updated_at: z.date(),
  ended_at: z.date().nullable(),
});
export type StepRow = z.infer<typeof stepRowSchema>;

/** A run as the visibility API shows it. */
export type RunView = {
  id: string;
  function_id: string;
  status: RunStatus;
  event_name: string;
  event: EventPayload;
  output: Json | null;
  error: Json | null;
  parent_run_id: string | null;
  created_at: string;
  started_at: string | null;
  ended_at: string | null;
  duration_ms: number | null;
  steps: {
    id: string;
    /** The step's id as written in the code (`step.run("this")`). */
    name: string | null;
    /** The op's own `name`: the event a `WaitForEvent` waits for, a `Sleep`'s duration. */
    op_name: string | null;
    opts: Json | null;
    op: string;
    status: string;
    attempts: number;
    result: StepResult | null;
    last_error: Json | null;
    created_at: string;
    ended_at: string | null;
  }[];
};

/** Options of {@link Store}. */
export type StoreOptions = {
  /** Backoff base for retries, in ms. */
  retryBaseDelayMs: number;
  /** Clock for cron schedules, epoch ms (tests drive it; everything else uses the real clock). */
  cronNow: () => number;
  log: (msg: string) => void;
};

/** A cron schedule as the visibility API shows it. */
export type CronView = {
  function_id: string;
  cron: string;
  next_at: string;
  last_tick_at: string | null;
  last_fired_at: string | null;
  last_run_id: string | null;
  skipped: number;
};

/** A deterministic ULID for the `index`-th event of a send whose SDK supplied `seed`. */
function seededUlid(seed: string, index: number): string | null {
  const [millisText, entropy] = seed.split(",");
  const millis = Number(millisText);
  if (!entropy || !Number.isSafeInteger(millis) || millis <= 0) return null;
  const digest = createHash("sha256").update(`${entropy}:${index}`).digest();
  const alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
  let random = "";
  for (let i = 0; i < 16; i++) random += alphabet[(digest[i] ?? 0) % 32];
  return encodeTime(millis, 10) + random;
}

/** An event payload as a JSON value (it is one; optional fields are simply absent). */
function asJson(event: EventPayload): JsonObject {
  return event as unknown as JsonObject;
}

function isDeadlock(err: unknown): boolean {
  return (
    typeof err === "object" &&
    err !== null &&
    "code" in err &&
    (err.code === "40P01" || err.code === "40001")
  );
}

/** Data access and state transitions. Construct with a postgres.js client (`prepare: false`). */
export class Store {
  constructor(
    private readonly sql: Sql,
    private readonly opts: StoreOptions,
  ) {}

  /** Runs `fn` in a transaction, retrying on deadlock/serialization failures. */
  async tx<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return (await this.sql.begin((tx) => fn(tx))) as T;
      } catch (err) {
        if (!isDeadlock(err) || attempt >= 5) throw err;
        await new Promise((r) => setTimeout(r, 5 * attempt + Math.random() * 20));
      }
    }
  }

  // ------------------------------------------------------------------------------------------------
  // Sync
  // ------------------------------------------------------------------------------------------------

  /**
   * Replaces the functions of one app with `fns` (functions of that app not in the list are removed).
   * @returns whether anything changed
   */
  async syncApp(app: { id: string; url: string; framework?: string; sdk?: string }, fns: FunctionRecord[]): Promise<boolean> {
    return this.tx(async (tx) => {
      const now = new Date();
      const existing = await tx`SELECT id, config FROM inngest_local.functions WHERE app_id = ${app.id}`;
      const before = new Map(existing.map((r) => [String(r.id), JSON.stringify(r.config)]));
      let modified = before.size !== fns.length;
      await tx`
        INSERT INTO inngest_local.apps (id, url, framework, sdk, synced_at)
        VALUES (${app.id}, ${app.url}, ${app.framework ?? null}, ${app.sdk ?? null}, ${now})
        ON CONFLICT (id) DO UPDATE SET url = EXCLUDED.url, framework = EXCLUDED.framework,
          sdk = EXCLUDED.sdk, synced_at = EXCLUDED.synced_at`;
      for (const fn of fns) {
        const prev = before.get(fn.id);
        // jsonb normalises key order, so compare through a round trip of the stored value.
        const [row] = await tx`
          INSERT INTO inngest_local.functions
            (id, app_id, name, url, triggers, crons, retries, concurrency, cancel, idempotency, timeouts, config, updated_at)
          VALUES (${fn.id}, ${fn.appId}, ${fn.name}, ${fn.url}, ${tx.json(fn.triggers)}, ${tx.json(fn.crons)}, ${fn.retries},
            ${tx.json(fn.concurrency)}, ${tx.json(fn.cancel)}, ${fn.idempotency}, ${tx.json(fn.timeouts)},
            ${tx.json(fn.config)}, ${now})
          ON CONFLICT (id) DO UPDATE SET app_id = EXCLUDED.app_id, name = EXCLUDED.name, url = EXCLUDED.url,
            triggers = EXCLUDED.triggers, crons = EXCLUDED.crons, retries = EXCLUDED.retries,
            concurrency = EXCLUDED.concurrency, cancel = EXCLUDED.cancel, idempotency = EXCLUDED.idempotency,
            timeouts = EXCLUDED.timeouts, config = EXCLUDED.config, updated_at = EXCLUDED.updated_at
          RETURNING config`;
        if (prev === undefined || prev !== JSON.stringify(row?.config)) modified = true;
        await this.syncCronSchedules(tx, fn, now);
      }
      const keep = fns.map((f) => f.id);
      const removed = await tx`
        DELETE FROM inngest_local.functions WHERE app_id = ${app.id} AND NOT (id = ANY(${tx.array(keep)}))
        RETURNING id`;
      if (removed.length > 0) modified = true;
      return modified;
    });
  }

  /**
   * Keeps one schedule row per cron trigger of `fn`. A trigger that is already scheduled keeps its
   * `next_at` (a re-sync neither skips nor repeats a tick); a new one is scheduled from the cron clock.
   */
  private async syncCronSchedules(tx: Tx, fn: FunctionRecord, now: Date): Promise<void> {
    const keep = fn.crons.map((c) => c.cron);
    await tx`
      DELETE FROM inngest_local.cron_schedules
      WHERE function_id = ${fn.id} AND NOT (cron = ANY(${tx.array(keep)}))`;
    const cronNow = this.opts.cronNow();
    for (const spec of fn.crons) {
      await tx`
        INSERT INTO inngest_local.cron_schedules (function_id, cron, next_at, updated_at)
        VALUES (${fn.id}, ${spec.cron}, ${new Date(nextFireAfter(spec, cronNow))}, ${now})
        ON CONFLICT (function_id, cron) DO NOTHING`;
    }
  }

  /** Number of registered functions. */
  async countFunctions(): Promise<number> {
    const [row] = await this.sql`SELECT count(*)::int AS n FROM inngest_local.functions`;
    return Number(row?.n ?? 0);
  }

  /** All registered functions, by id. */
  async listFunctions(): Promise<FunctionRecord[]> {
    return this.loadFunctions(this.sql);
  }

  private async loadFunctions(q: Tx | Sql): Promise<FunctionRecord[]> {
    const rows = await q`SELECT * FROM inngest_local.functions ORDER BY id`;
    return rows.map(toFunction);
  }

  private async loadFunction(q: Tx | Sql, id: string): Promise<FunctionRecord | null> {
    const [row] = await q`SELECT * FROM inngest_local.functions WHERE id = ${id}`;
    return row ? toFunction(row) : null;
  }

  // ------------------------------------------------------------------------------------------------
  // Events
  // ------------------------------------------------------------------------------------------------

  /**
   * Stores events, deduplicates them by `id` (24 h), starts the runs they trigger, resumes the waits
   * they match and cancels the runs they cancel — all in one transaction.
   * @param seed the SDK's `x-inngest-event-id-seed` header: makes internal ids deterministic, so a
   *   retried send of the same batch is recognised and starts nothing twice
   * @returns one internal event id per event, in order
   */
  async ingestEvents(events: IncomingEvent[], seed?: string): Promise<string[]> {
    return this.tx(async (tx) => this.ingestInTx(tx, events, new Date(), seed));
  }

  private async ingestInTx(tx: Tx, events: IncomingEvent[], now: Date, seed?: string): Promise<string[]> {
    const ids: string[] = [];
    let fns: FunctionRecord[] | null = null;
    for (const [index, incoming] of events.entries()) {
      const internalId = (seed ? seededUlid(seed, index) : null) ?? ulid(now.getTime());
      const userId = incoming.id ?? null;
      if (userId) {
        const claimed = await tx`
          INSERT INTO inngest_local.event_ids (event_id, internal_id, expires_at)
          VALUES (${userId}, ${internalId}, ${new Date(now.getTime() + EVENT_DEDUPE_MS)})
          ON CONFLICT (event_id) DO UPDATE SET internal_id = EXCLUDED.internal_id, expires_at = EXCLUDED.expires_at
            WHERE inngest_local.event_ids.expires_at < ${now}
          RETURNING internal_id`;
        if (claimed.length === 0) {
          const [dupe] = await tx`SELECT internal_id FROM inngest_local.event_ids WHERE event_id = ${userId}`;
          ids.push(String(dupe?.internal_id ?? internalId));
          continue;
        }
      }
      const payload: EventPayload = {
        name: incoming.name,
        data: incoming.data ?? {},
        id: userId ?? internalId,
        ts: incoming.ts ?? now.getTime(),
        ...(incoming.user !== undefined && incoming.user !== null ? { user: incoming.user } : {}),
        ...(incoming.v ? { v: incoming.v } : {}),
        ...(incoming.meta !== undefined && incoming.meta !== null ? { meta: incoming.meta } : {}),
      };
      const inserted = await tx`
        INSERT INTO inngest_local.events (internal_id, name, payload, received_at)
        VALUES (${internalId}, ${payload.name}, ${tx.json(payload)}, ${now})
        ON CONFLICT (internal_id) DO NOTHING
        RETURNING internal_id`;
      ids.push(internalId);
      if (inserted.length === 0) continue; // the same send, retried: already processed
      fns ??= await this.loadFunctions(tx);
      await this.routeEvent(tx, fns, payload, internalId, now);
    }
    return ids;
  }

  /** Starts triggered runs, resumes matching waits, cancels matching runs. */
  private async routeEvent(tx: Tx, fns: FunctionRecord[], event: EventPayload, internalId: string, now: Date) {
    const vars = { event: asJson(event) };
    for (const fn of fns) {
      const triggered = fn.triggers.some(
        (t) => eventNameMatches(t.event, event.name) && (!t.expression || celMatches(t.expression, vars)),
      );
      if (triggered) await this.createRun(tx, fn, event, internalId, now);
    }

    const waits = await tx`
      SELECT w.run_id, w.step_hash, w.expression, r.event
      FROM inngest_local.waits w JOIN inngest_local.runs r ON r.id = w.run_id
      WHERE w.event_name = ${event.name} AND w.expires_at > ${now}
        AND r.status IN ('queued', 'running', 'waiting')
      ORDER BY w.created_at`;
    for (const wait of waits) {
      const runEvent = eventPayloadSchema.parse(wait.event);
      const expression = wait.expression === null ? null : String(wait.expression);
      if (expression && !celMatches(expression, { event: asJson(runEvent), async: asJson(event) })) {
        continue;
      }
      await this.resolveWait(tx, String(wait.run_id), String(wait.step_hash), { data: asJson(event) }, now);
    }

    const cancellable = await tx`
      SELECT r.id, r.function_id, r.event, r.created_at, f.cancel
      FROM inngest_local.runs r JOIN inngest_local.functions f ON f.id = r.function_id
      WHERE r.status IN ('queued', 'running', 'waiting')
        AND f.cancel @> ${tx.json([{ event: event.name }])}
        AND r.event_internal_id <> ${internalId}`;
    for (const row of cancellable) {
      const runEvent = eventPayloadSchema.parse(row.event);
      const rules = z.array(z.object({ event: z.string(), if: z.string().optional(), timeout: z.string().optional() })).parse(row.cancel);
      const createdAt = row.created_at instanceof Date ? row.created_at.getTime() : now.getTime();
      const matches = rules.some((rule) => {
        if (rule.event !== event.name) return false;
        if (rule.timeout) {
          const ms = parseDurationMs(rule.timeout);
          if (ms !== null && now.getTime() > createdAt + ms) return false;
        }
        return !rule.if || celMatches(rule.if, { event: asJson(runEvent), async: asJson(event) });
      });
      if (matches) await this.cancelRun(tx, String(row.id), now, `cancelled by event "${event.name}" (${event.id})`);
    }
  }

  /**
   * Creates a run of `fn` for `event` with a discovery call due now, unless an idempotency key
   * suppresses it.
   * @returns the run id, or `null` when suppressed
   */
  private async createRun(
    tx: Tx,
    fn: FunctionRecord,
    event: EventPayload,
    internalId: string,
    now: Date,
    parent?: { runId: string; stepHash: string },
  ): Promise<string | null> {
    const runId = ulid(now.getTime());
    const vars = { event: asJson(event) };
    if (fn.idempotency) {
      const key = celKey(fn.idempotency, vars);
      if (key !== null) {
        const claimed = await tx`
          INSERT INTO inngest_local.idempotency_keys (function_id, key, run_id, expires_at)
          VALUES (${fn.id}, ${key}, ${runId}, ${new Date(now.getTime() + IDEMPOTENCY_MS)})
          ON CONFLICT (function_id, key) DO UPDATE SET run_id = EXCLUDED.run_id, expires_at = EXCLUDED.expires_at
            WHERE inngest_local.idempotency_keys.expires_at < ${now}
          RETURNING run_id`;
        if (claimed.length === 0) {
          this.opts.log(`skipped a run of ${fn.id}: idempotency key "${key}" was used in the last 24 h`);
          return null;
        }
      }
    }
    const concurrencyKeys = fn.concurrency.map((c) => (c.key ? (celKey(c.key, vars) ?? "<key error>") : ""));
    await tx`
      INSERT INTO inngest_local.runs
        (id, function_id, event_internal_id, event, status, concurrency_keys, parent_run_id, parent_step,
         created_at, updated_at)
      VALUES (${runId}, ${fn.id}, ${internalId}, ${tx.json(event)}, 'queued', ${tx.array(concurrencyKeys)},
        ${parent?.runId ?? null}, ${parent?.stepHash ?? null}, ${now}, ${now})`;
    await tx`
      INSERT INTO inngest_local.queue (run_id, kind, step_hash, attempt, generation, due_at, created_at)
      VALUES (${runId}, 'discover', '', 0, 0, ${now}, ${now})`;
    if (fn.timeouts.startMs) {
      await this.enqueue(tx, runId, "timeout", "start", new Date(now.getTime() + fn.timeouts.startMs), now);
    }
    return runId;
  }

  // ------------------------------------------------------------------------------------------------
  // Cron
  // ------------------------------------------------------------------------------------------------

  /**
   * Earliest `next_at` of any cron schedule, epoch ms, or `null` when there is none. Cheap; the engine
   * calls it to know when to call {@link fireDueCrons}.
   */
  async nextCronAt(): Promise<number | null> {
    const [row] = await this.sql`SELECT min(next_at) AS next FROM inngest_local.cron_schedules`;
    return row?.next instanceof Date ? row.next.getTime() : null;
  }

  /**
   * Starts a run for every cron tick that is due on the cron clock. Each schedule row is locked
   * (`FOR UPDATE SKIP LOCKED`) and moved to its next tick in the same transaction that starts the
   * run, so a tick fires once however many executors run and however often they restart.
   *
   * Catch-up policy: when ticks came due while no executor was running, the oldest missed tick fires
   * once, late (its event's `ts` is the tick's time); the other missed ticks are skipped and counted,
   * and the schedule resumes with the first tick after now.
   * @returns the number of runs started
   */
  async fireDueCrons(): Promise<number> {
    const nowMs = this.opts.cronNow();
    return this.tx(async (tx) => {
      const now = new Date();
      const rows = await tx`
        SELECT function_id, cron, next_at FROM inngest_local.cron_schedules
        WHERE next_at <= ${new Date(nowMs)}
        ORDER BY next_at
        LIMIT 100
        FOR UPDATE SKIP LOCKED`;
      let started = 0;
      for (const row of rows) {
        const fnId = String(row.function_id);
        const cron = String(row.cron);
        const tickMs = row.next_at instanceof Date ? row.next_at.getTime() : nowMs;
        const parsed = parseCron(cron);
        const fn = await this.loadFunction(tx, fnId);
        if (!parsed.ok || !fn) {
          await tx`DELETE FROM inngest_local.cron_schedules WHERE function_id = ${fnId} AND cron = ${cron}`;
          continue;
        }
        const nextMs = nextFireAfter(parsed.spec, Math.max(nowMs, tickMs));
        // Ticks strictly between the one firing now and the next one were missed (downtime).
        let skipped = 0;
        for (let t = nextFireAfter(parsed.spec, tickMs); t < nextMs && skipped < 100_000; t = nextFireAfter(parsed.spec, t)) {
          skipped++;
        }
        const internalId = ulid(now.getTime());
        const event: EventPayload = { name: INTERNAL_EVENTS.scheduled, data: { cron }, id: internalId, ts: tickMs };
        await tx`
          INSERT INTO inngest_local.events (internal_id, name, payload, received_at)
          VALUES (${internalId}, ${event.name}, ${tx.json(asJson(event))}, ${now})`;
        const runId = await this.createRun(tx, fn, event, internalId, now);
        if (runId) started++;
        await tx`
          UPDATE inngest_local.cron_schedules
          SET next_at = ${new Date(nextMs)}, last_tick_at = ${new Date(tickMs)}, last_fired_at = ${now},
              last_run_id = ${runId}, skipped = skipped + ${skipped}, updated_at = ${now}
          WHERE function_id = ${fnId} AND cron = ${cron}`;
        const late = nowMs - tickMs;
        this.opts.log(
          `cron "${cron}" started run ${runId ?? "(none: idempotency)"} of ${fnId}` +
            (late > 5_000 ? ` for the tick at ${new Date(tickMs).toISOString()} (${Math.round(late / 1000)} s late)` : "") +
            (skipped > 0 ? `; ${skipped} missed tick(s) skipped` : ""),
        );
      }
      return started;
    });
  }

  /** Every cron schedule, by function. */
  async listCrons(): Promise<CronView[]> {
    const rows = await this.sql`SELECT * FROM inngest_local.cron_schedules ORDER BY function_id, cron`;
    const iso = (v: unknown) => (v instanceof Date ? v.toISOString() : null);
    return rows.map((r) => ({
      function_id: String(r.function_id),
      cron: String(r.cron),
      next_at: iso(r.next_at) ?? "",
      last_tick_at: iso(r.last_tick_at),
      last_fired_at: iso(r.last_fired_at),
      last_run_id: r.last_run_id === null ? null : String(r.last_run_id),
      skipped: Number(r.skipped),
    }));
  }

  // ------------------------------------------------------------------------------------------------
  // Claiming work
  // ------------------------------------------------------------------------------------------------

  /**
   * Leases up to `limit` due queue items (`FOR UPDATE SKIP LOCKED`), honouring function concurrency
   * limits (in-flight discovery/step calls per function and key, across all executors).
   * @param leaseMs how long the lease lasts unless renewed by {@link heartbeat}
   */
  async claim(limit: number, leaseMs: number): Promise<ClaimedItem[]> {
    if (limit <= 0) return [];
    const claimed = await this.tx(async (tx) => {
      const now = new Date();
      await tx`SELECT pg_advisory_xact_lock(${CLAIM_LOCK_KEY})`;
      const rows = await tx`
        SELECT q.id, q.run_id, q.kind, q.step_hash, q.attempt, q.generation,
               r.function_id, r.concurrency_keys, f.concurrency
        FROM inngest_local.queue q
          JOIN inngest_local.runs r ON r.id = q.run_id
          LEFT JOIN inngest_local.functions f ON f.id = r.function_id
        WHERE q.due_at <= ${now} AND (q.lease_until IS NULL OR q.lease_until < ${now})
        ORDER BY q.due_at, q.id
        LIMIT ${Math.max(limit * 4, 100)}
        FOR UPDATE OF q SKIP LOCKED`;
      if (rows.length === 0) return [];

      const limited = new Set<string>();
      for (const row of rows) {
        const c = z.array(z.object({ limit: z.number() })).nullable().parse(row.concurrency);
        if (c && c.length > 0 && (row.kind === "discover" || row.kind === "step")) limited.add(String(row.function_id));
      }
      const inFlight = new Map<string, number>();
      const slot = (fnId: string, index: number, key: string) => `${fnId}\u0000${index}\u0000${key}`;
      if (limited.size > 0) {
        const busy = await tx`
          SELECT r.function_id, r.concurrency_keys, count(*)::int AS n
          FROM inngest_local.queue q JOIN inngest_local.runs r ON r.id = q.run_id
          WHERE q.lease_until >= ${now} AND q.kind IN ('discover', 'step')
            AND r.function_id = ANY(${tx.array([...limited])})
          GROUP BY r.function_id, r.concurrency_keys`;
        for (const b of busy) {
          const keys = z.array(z.string()).parse(b.concurrency_keys);
          keys.forEach((key, i) => {
            const k = slot(String(b.function_id), i, key);
            inFlight.set(k, (inFlight.get(k) ?? 0) + Number(b.n));
          });
        }
      }

      const out: ClaimedItem[] = [];
      const leaseUntil = new Date(now.getTime() + leaseMs);
      for (const row of rows) {
        if (out.length >= limit) break;
        const kind = String(row.kind) as QueueKind;
        if ((kind === "discover" || kind === "step") && limited.has(String(row.function_id))) {
          const constraints = z.array(z.object({ limit: z.number() })).parse(row.concurrency);
          const keys = z.array(z.string()).parse(row.concurrency_keys);
          const slots = constraints.map((c, i) => ({ k: slot(String(row.function_id), i, keys[i] ?? ""), limit: c.limit }));
          if (slots.some((s) => (inFlight.get(s.k) ?? 0) >= s.limit)) continue;
          for (const s of slots) inFlight.set(s.k, (inFlight.get(s.k) ?? 0) + 1);
        }
        const token = randomBytes(12).toString("hex");
        await tx`
          UPDATE inngest_local.queue SET lease_token = ${token}, lease_until = ${leaseUntil}
          WHERE id = ${String(row.id)}`;
        out.push({
          id: String(row.id),
          runId: String(row.run_id),
          kind,
          stepHash: String(row.step_hash),
          attempt: Number(row.attempt),
          generation: Number(row.generation),
          leaseToken: token,
        });
      }
      return out;
    });
    // Mark runs started outside the claim transaction (lock order: never queue → run).
    const starting = [
      ...new Set(claimed.filter((c) => c.kind === "discover" || c.kind === "step").map((c) => c.runId)),
    ];
    if (starting.length > 0) {
      const now = new Date();
      // A run whose timeouts.start has passed is not started: callContext() then cancels it. A run
      // that starts gets its timeouts.finish timer, and its start timer is dropped.
      await this.sql`
        WITH started AS (
          UPDATE inngest_local.runs r
          SET started_at = COALESCE(r.started_at, ${now}), status = 'running', updated_at = ${now}
          FROM inngest_local.functions f
          WHERE r.id = ANY(${this.sql.array(starting)}) AND r.status = 'queued' AND f.id = r.function_id
            AND NOT (COALESCE((f.timeouts->>'startMs')::bigint, 0) > 0
                     AND r.created_at + (f.timeouts->>'startMs')::bigint * interval '1 millisecond' <= ${now})
          RETURNING r.id, r.started_at, f.timeouts
        ), dropped AS (
          DELETE FROM inngest_local.queue q USING started
          WHERE q.run_id = started.id AND q.kind = 'timeout' AND q.step_hash = 'start' AND q.lease_token IS NULL
        )
        INSERT INTO inngest_local.queue (run_id, kind, step_hash, attempt, due_at, created_at)
        SELECT id, 'timeout', 'finish', 0,
               started_at + (timeouts->>'finishMs')::bigint * interval '1 millisecond', ${now}
        FROM started WHERE COALESCE((timeouts->>'finishMs')::bigint, 0) > 0
        ON CONFLICT (run_id, kind, step_hash) DO NOTHING`;
    }
    return claimed;
  }

  /** Extends the leases identified by `tokens` to now + `leaseMs`. */
  async heartbeat(tokens: string[], leaseMs: number): Promise<void> {
    if (tokens.length === 0) return;
    await this.sql`
      UPDATE inngest_local.queue SET lease_until = ${new Date(Date.now() + leaseMs)}
      WHERE lease_token = ANY(${this.sql.array(tokens)})`;
  }

  /** Drops a leased item whose run has ended. */
  async discard(item: ClaimedItem): Promise<void> {
    await this.sql`DELETE FROM inngest_local.queue WHERE id = ${item.id} AND lease_token = ${item.leaseToken}`;
  }

  /** Gives leased items back without counting an attempt (used on shutdown). */
  async releaseLeases(tokens: string[]): Promise<void> {
    if (tokens.length === 0) return;
    await this.sql`
      UPDATE inngest_local.queue SET lease_token = NULL, lease_until = NULL
      WHERE lease_token = ANY(${this.sql.array(tokens)})`;
  }

  /**
   * Cheap check (one indexed statement, no transaction) whether any item is due and unleased, so an
   * idle scheduler does not take the claim lock on every poll.
   */
  async hasDueWork(): Promise<boolean> {
    const now = new Date();
    const rows = await this.sql`
      SELECT 1 FROM inngest_local.queue
      WHERE due_at <= ${now} AND (lease_until IS NULL OR lease_until < ${now}) LIMIT 1`;
    return rows.length > 0;
  }

  // ------------------------------------------------------------------------------------------------
  // Calling the app
  // ------------------------------------------------------------------------------------------------

  /**
   * Builds the request for a claimed discovery or step item.
   * @returns `inactive` when the run ended meanwhile, `missing-function` when its function is no
   *   longer registered, else the call to make
   * @throws database errors (the item's lease is then released and the item retried)
   */
  async callContext(
    item: ClaimedItem,
  ): Promise<
    | { type: "call"; call: CallContext }
    | { type: "inactive" }
    | { type: "missing-function"; message: string }
    | { type: "timed-out"; reason: string }
  > {
    // One statement, one snapshot: the stack and the memoized results must agree. The SDK resolves
    // memoized steps in stack order; a memoized step missing from ctx.stack.stack is never resolved
    // and the request hangs.
    const [runRow] = await this.sql`
      SELECT r.*,
        (SELECT coalesce(jsonb_object_agg(s.hash, s.result), '{}'::jsonb)
           FROM inngest_local.steps s WHERE s.run_id = r.id AND s.result IS NOT NULL) AS memo,
        (SELECT count(*) FROM inngest_local.queue q WHERE q.run_id = r.id AND q.kind = 'step')::int AS pending_steps
      FROM inngest_local.runs r WHERE r.id = ${item.runId}`;
    if (!runRow) return { type: "inactive" };
    const run = runRowSchema.parse(runRow);
    if (!ACTIVE_STATUSES.includes(run.status)) return { type: "inactive" };
    const fn = await this.loadFunction(this.sql, run.function_id);
    if (!fn) {
      return { type: "missing-function", message: `function "${run.function_id}" is no longer registered with the local executor` };
    }
    const timedOut = timeoutReason(fn, run, Date.now());
    if (timedOut) return { type: "timed-out", reason: timedOut };
    const steps = z.record(z.string(), stepResultSchema).parse(runRow.memo);
    const stack = run.stack.filter((h) => h in steps);
    for (const hash of Object.keys(steps)) if (!stack.includes(hash)) stack.push(hash);
    const pendingSteps = Number(runRow.pending_steps ?? 0);
    const url = new URL(fn.url);
    url.searchParams.set("fnId", fn.id);
    url.searchParams.set("stepId", item.kind === "step" ? item.stepHash : "step");
    return {
      type: "call",
      call: {
        fn,
        runId: run.id,
        url: url.toString(),
        body: {
          event: run.event,
          events: [run.event],
          steps,
          ctx: {
            run_id: run.id,
            attempt: item.attempt,
            max_attempts: fn.retries + 1,
            // Immediate (inline) execution is only safe while nothing else of this run is planned;
            // otherwise a discovery call could run a step that a step call is also running.
            disable_immediate_execution: run.parallel || pendingSteps > 0,
            use_api: false,
            stack: { stack, current: Math.max(0, stack.length - 1) },
          },
        },
      },
    };
  }

  // ------------------------------------------------------------------------------------------------
  // Applying results
  // ------------------------------------------------------------------------------------------------

  /**
   * Applies the outcome of a call (or of a timer, for sleep/wait/invoke items) to the run.
   * @returns `"stale"` when the lease was lost (the outcome is discarded), else `"applied"`
   */
  async applyOutcome(
    item: ClaimedItem,
    outcome: CallOutcome | { type: "timer" } | { type: "already-memoized" },
  ): Promise<"applied" | "stale"> {
    return this.tx(async (tx) => {
      const now = new Date();
      const [runRow] = await tx`SELECT * FROM inngest_local.runs WHERE id = ${item.runId} FOR UPDATE`;
      const run = runRow ? runRowSchema.parse(runRow) : null;
      if (!run || !ACTIVE_STATUSES.includes(run.status)) {
        // The run ended meanwhile (completed, failed, cancelled): whatever this call produced is moot.
        await tx`DELETE FROM inngest_local.queue WHERE id = ${item.id} AND lease_token = ${item.leaseToken}`;
        return "applied";
      }
      const [queueRow] = await tx`
        SELECT id, generation FROM inngest_local.queue
        WHERE id = ${item.id} AND lease_token = ${item.leaseToken} FOR UPDATE`;
      if (!queueRow) return "stale";
      const fn = await this.loadFunction(tx, run.function_id);
      if (!fn) {
        await this.finishRun(tx, run, {
          status: "failed",
          error: errorJson(`function "${run.function_id}" is no longer registered with the local executor`),
        }, now);
        return "applied";
      }

      if (outcome.type === "timer") {
        await this.fireTimer(tx, run, fn, item, now);
      } else if (outcome.type === "cancel") {
        await this.cancelRun(tx, run.id, now, outcome.reason);
        return "applied";
      } else if (outcome.type === "already-memoized") {
        // A step item whose result is already stored: never execute a step twice.
        await tx`DELETE FROM inngest_local.queue WHERE id = ${item.id}`;
        await this.requestDiscovery(tx, run.id, now);
      } else if (outcome.type === "complete") {
        await this.finishRun(tx, run, { status: "completed", output: outcome.output }, now);
      } else if (outcome.type === "error") {
        if (outcome.retriable && item.attempt < fn.retries) {
          const next = item.attempt + 1;
          const delay = outcome.retryAfterMs ?? backoffMs(this.opts.retryBaseDelayMs, next);
          await tx`
            UPDATE inngest_local.queue
            SET attempt = ${next}, due_at = ${new Date(now.getTime() + delay)}, lease_token = NULL, lease_until = NULL
            WHERE id = ${item.id}`;
          if (item.kind === "step") {
            await tx`
              UPDATE inngest_local.steps SET status = 'retrying', attempts = ${next},
                last_error = ${tx.json(outcome.error)}, updated_at = ${now}
              WHERE run_id = ${run.id} AND hash = ${item.stepHash} AND result IS NULL`;
          }
          this.opts.log(
            `run ${run.id} (${fn.id}): ${outcome.error.name}: ${outcome.error.message} — retry ${next}/${fn.retries} in ${delay} ms`,
          );
        } else {
          await this.finishRun(tx, run, { status: "failed", error: outcome.error }, now);
        }
      } else {
        await this.applyOps(tx, run, fn, item, Number(queueRow.generation), outcome.ops, outcome.retryAfterMs, now);
      }
      await this.refreshStatus(tx, run.id, now);
      return "applied";
    });
  }

  private async applyOps(
    tx: Tx,
    run: RunRow,
    fn: FunctionRecord,
    item: ClaimedItem,
    currentGeneration: number,
    ops: Op[],
    retryAfterMs: number | null,
    now: Date,
  ): Promise<void> {
    let discover = false;
    let selfHandled = false;
    if (ops.length > 1 && !run.parallel) {
      await tx`UPDATE inngest_local.runs SET parallel = true WHERE id = ${run.id}`;
    }
    const exists = async (hash: string) =>
      (await tx`SELECT 1 FROM inngest_local.steps WHERE run_id = ${run.id} AND hash = ${hash}`).length > 0;
    const meta = (op: Op) => ({ op: op.op, name: op.name ?? null, displayName: op.displayName ?? op.name ?? null, opts: op.opts ?? null });
    const label = (op: Op) => op.displayName ?? op.name ?? op.id;

    for (const op of ops) {
      switch (op.op) {
        case "StepRun": {
          if (await this.memoize(tx, run.id, op.id, { data: op.data ?? null }, now, meta(op))) discover = true;
          break;
        }
        case "StepFailed": {
          if (await this.memoize(tx, run.id, op.id, { error: toSerializedError(op.error) }, now, meta(op))) discover = true;
          break;
        }
        case "StepError": {
          const next = item.attempt + 1;
          const error = toSerializedError(op.error);
          if (next > fn.retries) {
            if (await this.memoize(tx, run.id, op.id, { error }, now, meta(op))) discover = true;
            break;
          }
          const delay = retryAfterMs ?? backoffMs(this.opts.retryBaseDelayMs, next);
          const due = new Date(now.getTime() + delay);
          await tx`
            INSERT INTO inngest_local.steps (run_id, hash, op, name, display_name, opts, status, attempts, last_error, created_at, updated_at)
            VALUES (${run.id}, ${op.id}, ${op.op}, ${op.name ?? null}, ${label(op)}, ${op.opts ? tx.json(op.opts) : null},
              'retrying', ${next}, ${tx.json(error)}, ${now}, ${now})
            ON CONFLICT (run_id, hash) DO UPDATE SET status = 'retrying', attempts = EXCLUDED.attempts,
              last_error = EXCLUDED.last_error, updated_at = EXCLUDED.updated_at
            WHERE inngest_local.steps.result IS NULL`;
          if (item.kind === "step" && item.stepHash === op.id) {
            await tx`
              UPDATE inngest_local.queue SET attempt = ${next}, due_at = ${due}, lease_token = NULL, lease_until = NULL
              WHERE id = ${item.id}`;
            selfHandled = true;
          } else {
            await tx`
              INSERT INTO inngest_local.queue (run_id, kind, step_hash, attempt, due_at, created_at)
              VALUES (${run.id}, 'step', ${op.id}, ${next}, ${due}, ${now})
              ON CONFLICT (run_id, kind, step_hash) DO NOTHING`;
          }
          this.opts.log(`run ${run.id} (${fn.id}): step "${label(op)}" failed: ${error.message} — retry ${next}/${fn.retries} in ${delay} ms`);
          break;
        }
        case "StepPlanned": {
          if (await exists(op.id)) break;
          await this.insertStep(tx, run.id, op, "planned", now);
          await this.enqueue(tx, run.id, "step", op.id, now, now);
          break;
        }
        case "Sleep": {
          if (await exists(op.id)) break;
          const until = resolveSleepUntil(op.name ?? "", now.getTime());
          if (until === null) {
            if (await this.memoize(tx, run.id, op.id, { error: errorJson(`invalid sleep duration "${op.name ?? ""}"`) }, now, meta(op))) discover = true;
            break;
          }
          await this.insertStep(tx, run.id, { ...op, opts: { ...(op.opts ?? {}), until: new Date(until).toISOString() } }, "sleeping", now);
          await this.enqueue(tx, run.id, "sleep", op.id, new Date(until), now);
          break;
        }
        case "WaitForEvent": {
          if (await exists(op.id)) break;
          const parsed = waitForEventOptsSchema.safeParse(op.opts ?? {});
          const eventName = op.name ?? "";
          const timeoutMs = parsed.success ? parseDurationMs(parsed.data.timeout ?? "") : null;
          const expression = parsed.success ? (parsed.data.if ?? null) : null;
          const problem = !eventName
            ? "waitForEvent without an event name"
            : timeoutMs === null
              ? `waitForEvent timeout "${parsed.success ? parsed.data.timeout : ""}" is not a duration`
              : expression && celSyntaxError(expression)
                ? `waitForEvent "if" expression is not valid CEL: ${celSyntaxError(expression)}`
                : null;
          if (problem || timeoutMs === null) {
            if (await this.memoize(tx, run.id, op.id, { error: errorJson(problem ?? "invalid waitForEvent") }, now, meta(op))) discover = true;
            break;
          }
          const expires = new Date(now.getTime() + timeoutMs);
          await this.insertStep(tx, run.id, op, "waiting", now);
          await tx`
            INSERT INTO inngest_local.waits (run_id, step_hash, event_name, expression, expires_at, created_at)
            VALUES (${run.id}, ${op.id}, ${eventName}, ${expression}, ${expires}, ${now})
            ON CONFLICT (run_id, step_hash) DO NOTHING`;
          await this.enqueue(tx, run.id, "wait", op.id, expires, now);
          break;
        }
        case "InvokeFunction": {
          if (await exists(op.id)) break;
          const parsed = invokeOptsSchema.safeParse(op.opts ?? {});
          const target = parsed.success ? await this.loadFunction(tx, parsed.data.function_id) : null;
          if (!parsed.success || !target) {
            const msg = parsed.success
              ? `step.invoke: function "${parsed.data.function_id}" is not registered with the local executor`
              : `step.invoke: invalid options (${parsed.error.message})`;
            if (await this.memoize(tx, run.id, op.id, { error: errorJson(msg) }, now, meta(op))) discover = true;
            break;
          }
          const timeoutMs = parsed.data.timeout ? parseDurationMs(parsed.data.timeout) : null;
          const payloadData = parsed.data.payload.data;
          const data: JsonObject = {
            ...(payloadData && typeof payloadData === "object" && !Array.isArray(payloadData) ? payloadData : {}),
            _inngest: { source_run_id: run.id, source_fn_id: fn.id, invoke_correlation_id: `${run.id}.${op.id}` },
          };
          const internalId = ulid(now.getTime());
          const event: EventPayload = {
            name: INTERNAL_EVENTS.invoked,
            data,
            id: internalId,
            ts: now.getTime(),
            ...(parsed.data.payload.user !== undefined ? { user: parsed.data.payload.user } : {}),
            ...(parsed.data.payload.v ? { v: parsed.data.payload.v } : {}),
          };
          await tx`
            INSERT INTO inngest_local.events (internal_id, name, payload, received_at)
            VALUES (${internalId}, ${event.name}, ${tx.json(event)}, ${now})`;
          await this.insertStep(tx, run.id, op, "invoking", now);
          await this.createRun(tx, target, event, internalId, now, { runId: run.id, stepHash: op.id });
          if (timeoutMs !== null && timeoutMs > 0) {
            await this.enqueue(tx, run.id, "invoke", op.id, new Date(now.getTime() + timeoutMs), now);
          }
          break;
        }
        case "RunComplete": {
          await this.finishRun(tx, run, { status: "completed", output: op.data ?? null }, now);
          return;
        }
        default: {
          await this.finishRun(tx, run, {
            status: "failed",
            error: errorJson(
              `step "${label(op)}" uses op "${op.op}", which the local executor (inngest/local) does not implement`,
              "NotImplementedError",
            ),
          }, now);
          return;
        }
      }
    }

    if (!selfHandled) {
      if (item.kind === "discover") {
        if (discover || currentGeneration !== item.generation) {
          await tx`
            UPDATE inngest_local.queue SET attempt = 0, due_at = ${now}, lease_token = NULL, lease_until = NULL
            WHERE id = ${item.id}`;
        } else {
          await tx`DELETE FROM inngest_local.queue WHERE id = ${item.id}`;
        }
      } else {
        await tx`DELETE FROM inngest_local.queue WHERE id = ${item.id}`;
        if (discover) await this.requestDiscovery(tx, run.id, now);
      }
    }

    const [pending] = await tx`
      SELECT (SELECT count(*) FROM inngest_local.queue WHERE run_id = ${run.id} AND kind <> 'timeout')::int
           + (SELECT count(*) FROM inngest_local.steps WHERE run_id = ${run.id} AND status = 'invoking')::int AS n`;
    if (Number(pending?.n ?? 0) === 0) {
      const summary = ops.map((o) => `${o.op}:${o.displayName ?? o.id}`).join(", ");
      this.opts.log(`run ${run.id}: no pending work after ops [${summary}]`);
      await this.finishRun(tx, run, {
        status: "failed",
        error: errorJson(`local executor: run has no pending work after the SDK answered [${summary}]`),
      }, now);
    }
  }

  /** Sleep ended, wait timed out, invoke timed out, or a run timeout came due. */
  private async fireTimer(tx: Tx, run: RunRow, fn: FunctionRecord, item: ClaimedItem, now: Date): Promise<void> {
    await tx`DELETE FROM inngest_local.queue WHERE id = ${item.id}`;
    if (item.kind === "timeout") {
      const reason = timeoutReason(fn, run, now.getTime());
      if (reason) await this.cancelRun(tx, run.id, now, reason);
      return;
    }
    let resumed = false;
    if (item.kind === "sleep") {
      resumed = await this.memoize(tx, run.id, item.stepHash, { data: null }, now);
    } else if (item.kind === "wait") {
      const deleted = await tx`
        DELETE FROM inngest_local.waits WHERE run_id = ${run.id} AND step_hash = ${item.stepHash} RETURNING step_hash`;
      if (deleted.length > 0) resumed = await this.memoize(tx, run.id, item.stepHash, { data: null }, now);
    } else if (item.kind === "invoke") {
      resumed = await this.memoize(tx, run.id, item.stepHash, {
        error: errorJson("Timed out waiting for invoked function to complete", "InngestInvokeTimeoutError"),
      }, now);
    }
    if (resumed) await this.requestDiscovery(tx, run.id, now);
  }

  /** Resumes a waiting `step.waitForEvent` with `result` (run row locked here). */
  private async resolveWait(tx: Tx, runId: string, hash: string, result: StepResult, now: Date): Promise<void> {
    const [run] = await tx`SELECT status FROM inngest_local.runs WHERE id = ${runId} FOR UPDATE`;
    if (!run || !ACTIVE_STATUSES.includes(String(run.status) as RunStatus)) return;
    const deleted = await tx`
      DELETE FROM inngest_local.waits WHERE run_id = ${runId} AND step_hash = ${hash} RETURNING step_hash`;
    if (deleted.length === 0) return;
    await tx`DELETE FROM inngest_local.queue WHERE run_id = ${runId} AND kind = 'wait' AND step_hash = ${hash}`;
    if (await this.memoize(tx, runId, hash, result, now)) await this.requestDiscovery(tx, runId, now);
    await this.refreshStatus(tx, runId, now);
  }

  /** Resumes the parent of an invoked run with the child's result. */
  private async resolveInvoke(tx: Tx, parentRunId: string, hash: string, result: StepResult, now: Date): Promise<void> {
    const [run] = await tx`SELECT status FROM inngest_local.runs WHERE id = ${parentRunId} FOR UPDATE`;
    if (!run || !ACTIVE_STATUSES.includes(String(run.status) as RunStatus)) return;
    await tx`DELETE FROM inngest_local.queue WHERE run_id = ${parentRunId} AND kind = 'invoke' AND step_hash = ${hash}`;
    if (await this.memoize(tx, parentRunId, hash, result, now)) await this.requestDiscovery(tx, parentRunId, now);
    await this.refreshStatus(tx, parentRunId, now);
  }

  private async cancelRun(tx: Tx, runId: string, now: Date, reason: string): Promise<void> {
    const [row] = await tx`SELECT * FROM inngest_local.runs WHERE id = ${runId} FOR UPDATE`;
    if (!row) return;
    const run = runRowSchema.parse(row);
    if (!ACTIVE_STATUSES.includes(run.status)) return;
    this.opts.log(`run ${runId} (${run.function_id}) ${reason}`);
    await this.finishRun(tx, run, { status: "cancelled", error: errorJson(reason, "FunctionCancelledError") }, now);
  }

  /**
   * Ends a run: stores the outcome, drops its pending work, emits `inngest/function.finished` (and
   * `inngest/function.failed` / `.cancelled`), and resumes an invoking parent.
   */
  private async finishRun(
    tx: Tx,
    run: RunRow,
    end: { status: "completed"; output: Json } | { status: "failed" | "cancelled"; error: SerializedError },
    now: Date,
  ): Promise<void> {
    const output = end.status === "completed" ? end.output : null;
    const error = end.status === "completed" ? null : end.error;
    const updated = await tx`
      UPDATE inngest_local.runs
      SET status = ${end.status}, output = ${output === null ? null : tx.json(output)},
          error = ${error === null ? null : tx.json(error)}, ended_at = ${now}, updated_at = ${now},
          started_at = COALESCE(started_at, ${now})
      WHERE id = ${run.id} AND status IN ('queued', 'running', 'waiting')
      RETURNING id`;
    if (updated.length === 0) return;
    await tx`DELETE FROM inngest_local.queue WHERE run_id = ${run.id}`;
    await tx`DELETE FROM inngest_local.waits WHERE run_id = ${run.id}`;
    await tx`
      UPDATE inngest_local.steps SET status = 'cancelled', updated_at = ${now}
      WHERE run_id = ${run.id} AND result IS NULL`;
    if (end.status === "failed") {
      this.opts.log(`run ${run.id} (${run.function_id}) failed: ${end.error.name}: ${end.error.message}`);
    }

    const base: JsonObject = { function_id: run.function_id, run_id: run.id, event: asJson(run.event) };
    const emitted: IncomingEvent[] = [
      { name: INTERNAL_EVENTS.finished, data: end.status === "completed" ? { ...base, result: output } : { ...base, error } },
    ];
    if (end.status === "failed") emitted.unshift({ name: INTERNAL_EVENTS.failed, data: { ...base, error } });
    if (end.status === "cancelled") {
      // Inngest's cancellation event always says "function cancelled"; the run keeps the reason.
      const cancelled: JsonObject = { name: "Error", message: "function cancelled", error: "function cancelled" };
      emitted.unshift({ name: INTERNAL_EVENTS.cancelled, data: { ...base, error: cancelled } });
    }
    await this.ingestInTx(tx, emitted, now);

    if (run.parent_run_id && run.parent_step) {
      const result: StepResult =
        end.status === "completed"
          ? { data: output }
          : { error: end.status === "cancelled" ? errorJson("invoked run was cancelled", "FunctionCancelledError") : end.error };
      await this.resolveInvoke(tx, run.parent_run_id, run.parent_step, result, now);
    }
  }

  /**
   * Writes a step's result once.
   * @returns `true` when this call stored it (and appended it to the run's stack)
   */
  private async memoize(
    tx: Tx,
    runId: string,
    hash: string,
    result: StepResult,
    now: Date,
    meta?: { op: string; name: string | null; displayName: string | null; opts: JsonObject | null },
  ): Promise<boolean> {
    const status = "data" in result ? "completed" : "failed";
    const rows = await tx`
      INSERT INTO inngest_local.steps
        (run_id, hash, op, name, display_name, opts, status, result, created_at, updated_at, ended_at)
      VALUES (${runId}, ${hash}, ${meta?.op ?? "Step"}, ${meta?.name ?? null}, ${meta?.displayName ?? null},
        ${meta?.opts ? tx.json(meta.opts) : null}, ${status}, ${tx.json(result)}, ${now}, ${now}, ${now})
      ON CONFLICT (run_id, hash) DO UPDATE SET
        result = EXCLUDED.result, status = EXCLUDED.status, updated_at = EXCLUDED.updated_at,
        ended_at = EXCLUDED.ended_at,
        op = CASE WHEN inngest_local.steps.op = 'StepPlanned' THEN EXCLUDED.op ELSE inngest_local.steps.op END,
        name = COALESCE(inngest_local.steps.name, EXCLUDED.name),
        display_name = COALESCE(inngest_local.steps.display_name, EXCLUDED.display_name)
      WHERE inngest_local.steps.result IS NULL
      RETURNING hash`;
    if (rows.length === 0) return false;
    await tx`UPDATE inngest_local.runs SET stack = array_append(stack, ${hash}), updated_at = ${now} WHERE id = ${runId}`;
    return true;
  }

  private async insertStep(tx: Tx, runId: string, op: Op, status: string, now: Date): Promise<void> {
    await tx`
      INSERT INTO inngest_local.steps (run_id, hash, op, name, display_name, opts, status, created_at, updated_at)
      VALUES (${runId}, ${op.id}, ${op.op}, ${op.name ?? null}, ${op.displayName ?? op.name ?? null},
        ${op.opts ? tx.json(op.opts) : null}, ${status}, ${now}, ${now})
      ON CONFLICT (run_id, hash) DO NOTHING`;
  }

  private async enqueue(tx: Tx, runId: string, kind: QueueKind, hash: string, due: Date, now: Date): Promise<void> {
    await tx`
      INSERT INTO inngest_local.queue (run_id, kind, step_hash, attempt, due_at, created_at)
      VALUES (${runId}, ${kind}, ${hash}, 0, ${due}, ${now})
      ON CONFLICT (run_id, kind, step_hash) DO NOTHING`;
  }

  /**
   * Asks for a discovery call: inserts one due now, or — when one is already queued or in flight —
   * bumps its generation so it runs again after the current call.
   */
  private async requestDiscovery(tx: Tx, runId: string, now: Date): Promise<void> {
    await tx`
      INSERT INTO inngest_local.queue (run_id, kind, step_hash, attempt, generation, due_at, created_at)
      VALUES (${runId}, 'discover', '', 0, 0, ${now}, ${now})
      ON CONFLICT (run_id, kind, step_hash) DO UPDATE SET
        generation = inngest_local.queue.generation + 1,
        due_at = CASE WHEN inngest_local.queue.attempt = 0 AND inngest_local.queue.due_at > EXCLUDED.due_at
                      THEN EXCLUDED.due_at ELSE inngest_local.queue.due_at END`;
  }

  /** Recomputes queued/running/waiting from the run's pending work. */
  private async refreshStatus(tx: Tx, runId: string, now: Date): Promise<void> {
    await tx`
      UPDATE inngest_local.runs r SET
        status = CASE
          WHEN EXISTS (SELECT 1 FROM inngest_local.queue q WHERE q.run_id = r.id AND q.kind IN ('discover', 'step'))
            THEN CASE WHEN r.started_at IS NULL THEN 'queued' ELSE 'running' END
          ELSE 'waiting' END,
        updated_at = ${now}
      WHERE r.id = ${runId} AND r.status IN ('queued', 'running', 'waiting')`;
  }

  // ------------------------------------------------------------------------------------------------
  // Visibility
  // ------------------------------------------------------------------------------------------------

  /** Run counts by status. */
  async runCounts(): Promise<Record<RunStatus, number>> {
    const rows = await this.sql`SELECT status, count(*)::int AS n FROM inngest_local.runs GROUP BY status`;
    const out = Object.fromEntries(RUN_STATUSES.map((s) => [s, 0])) as Record<RunStatus, number>;
    for (const row of rows) {
      const status = String(row.status) as RunStatus;
      if (status in out) out[status] = Number(row.n);
    }
    return out;
  }

  /**
   * Recent runs, newest first.
   * @param filter.limit at most this many (1..500, default 50)
   */
  async listRuns(filter: { limit?: number; status?: string; functionId?: string; eventName?: string } = {}): Promise<RunView[]> {
    const limit = Math.min(Math.max(filter.limit ?? 50, 1), 500);
    const rows = await this.sql`
      SELECT * FROM inngest_local.runs
      WHERE (${filter.status ?? null}::text IS NULL OR status = ${filter.status ?? null})
        AND (${filter.functionId ?? null}::text IS NULL OR function_id = ${filter.functionId ?? null})
        AND (${filter.eventName ?? null}::text IS NULL OR event->>'name' = ${filter.eventName ?? null})
      ORDER BY created_at DESC, id DESC
      LIMIT ${limit}`;
    const runs = rows.map((r) => runRowSchema.parse(r));
    if (runs.length === 0) return [];
    const stepRows = await this.sql`
      SELECT run_id, hash, op, name, display_name, opts, status, result, attempts, last_error, created_at, updated_at, ended_at
      FROM inngest_local.steps WHERE run_id = ANY(${this.sql.array(runs.map((r) => r.id))})
      ORDER BY created_at, hash`;
    const byRun = new Map<string, StepRow[]>();
    for (const row of stepRows) {
      const list = byRun.get(String(row.run_id)) ?? [];
      list.push(stepRowSchema.parse(row));
      byRun.set(String(row.run_id), list);
    }
    return runs.map((run) => toRunView(run, byRun.get(run.id) ?? []));
  }

  /** One run with its steps, or `null`. */
  async getRun(id: string): Promise<(RunView & { stack: string[]; pending: { kind: string; step: string; attempt: number; due_at: string; leased: boolean }[] }) | null> {
    const [row] = await this.sql`SELECT * FROM inngest_local.runs WHERE id = ${id}`;
    if (!row) return null;
    const run = runRowSchema.parse(row);
    const stepRows = await this.sql`
      SELECT hash, op, name, display_name, opts, status, result, attempts, last_error, created_at, updated_at, ended_at
      FROM inngest_local.steps WHERE run_id = ${id} ORDER BY created_at, hash`;
    const queue = await this.sql`
      SELECT kind, step_hash, attempt, due_at, lease_until FROM inngest_local.queue WHERE run_id = ${id} ORDER BY due_at`;
    const now = Date.now();
    return {
      ...toRunView(run, stepRows.map((s) => stepRowSchema.parse(s))),
      stack: run.stack,
      pending: queue.map((q) => ({
        kind: String(q.kind),
        step: String(q.step_hash),
        attempt: Number(q.attempt),
        due_at: q.due_at instanceof Date ? q.due_at.toISOString() : String(q.due_at),
        leased: q.lease_until instanceof Date && q.lease_until.getTime() > now,
      })),
    };
  }

  /** Memoized step results of a run in the SDK's `steps` format (`GET /v0/runs/:id/actions`). */
  async runActions(id: string): Promise<Record<string, StepResult> | null> {
    const [run] = await this.sql`SELECT id FROM inngest_local.runs WHERE id = ${id}`;
    if (!run) return null;
    const rows = await this.sql`SELECT hash, result FROM inngest_local.steps WHERE run_id = ${id} AND result IS NOT NULL`;
    return Object.fromEntries(rows.map((r) => [String(r.hash), stepResultSchema.parse(r.result)]));
  }

  /** The run's trigger event as a batch (`GET /v0/runs/:id/batch`). */
  async runBatch(id: string): Promise<EventPayload[] | null> {
    const [row] = await this.sql`SELECT event FROM inngest_local.runs WHERE id = ${id}`;
    return row ? [eventPayloadSchema.parse(row.event)] : null;
  }

  /** Recent events, newest first. */
  async listEvents(limit = 50): Promise<{ internal_id: string; received_at: string; event: EventPayload }[]> {
    const rows = await this.sql`
      SELECT internal_id, payload, received_at FROM inngest_local.events
      ORDER BY received_at DESC, internal_id DESC LIMIT ${Math.min(Math.max(limit, 1), 500)}`;
    return rows.map((r) => ({
      internal_id: String(r.internal_id),
      received_at: r.received_at instanceof Date ? r.received_at.toISOString() : String(r.received_at),
      event: eventPayloadSchema.parse(r.payload),
    }));
  }
}

/**
 * Why the run must be cancelled for its function's `timeouts`, or `null` while it is within them:
 * `start` counts from the run's creation until its first call to the app, `finish` from that first
 * call until the run ends (sleeps and waits included), as in Inngest.
 */
function timeoutReason(fn: FunctionRecord, run: RunRow, nowMs: number): string | null {
  const { startMs, finishMs } = fn.timeouts;
  if (startMs && !run.started_at && nowMs >= run.created_at.getTime() + startMs) {
    return `cancelled: the run did not start within timeouts.start (${fmtMs(startMs)} after it was created at ${run.created_at.toISOString()})`;
  }
  if (finishMs && run.started_at && nowMs >= run.started_at.getTime() + finishMs) {
    return `cancelled: the run did not finish within timeouts.finish (${fmtMs(finishMs)} after it started at ${run.started_at.toISOString()})`;
  }
  return null;
}

function fmtMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

function toRunView(run: RunRow, steps: StepRow[]): RunView {
  return {
    id: run.id,
    function_id: run.function_id,
    status: run.status,
    event_name: run.event.name,
    event: run.event,
    output: run.output,
    error: run.error,
    parent_run_id: run.parent_run_id,
    created_at: run.created_at.toISOString(),
    started_at: run.started_at?.toISOString() ?? null,
    ended_at: run.ended_at?.toISOString() ?? null,
    duration_ms: run.started_at && run.ended_at ? run.ended_at.getTime() - run.started_at.getTime() : null,
    steps: steps.map((s) => ({
      id: s.hash,
      name: s.display_name ?? s.name,
      op_name: s.name,
      opts: s.opts,
      op: s.op,
      status: s.status,
      attempts: s.attempts,
      result: s.result,
      last_error: s.last_error,
      created_at: s.created_at.toISOString(),
      ended_at: s.ended_at?.toISOString() ?? null,
    })),
  };
}
