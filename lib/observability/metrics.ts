import { sql } from "drizzle-orm";
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import type { Database } from "@/db/client";
import { componentLogger } from "./logger";

/**
 * Prometheus metrics of one Squadron process (`GET /api/metrics`).
 *
 * Two kinds, because the app server, the local executor and several app instances are separate
 * processes:
 * - **counters and histograms** count what this process did (requests served, steps and model calls
 *   executed, SSE clients it holds); Prometheus sums them over instances (`sum by (…)`);
 * - **gauges of database state** (tasks by status, approvals pending, executor queue) are computed from
 *   Postgres at scrape time ({@link refreshDatabaseGauges}), so every instance reports the same
 *   value: dashboards take `max`, not `sum`.
 *
 * Units follow Prometheus conventions: seconds (`_seconds`), USD (`_usd_total`), counts (`_total`).
 */

/** Buckets of request and model-call durations, seconds. */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
/** Buckets of workflow step and run durations, seconds (steps run agents and test suites: minutes). */
const WORKFLOW_BUCKETS = [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 120, 300, 600, 1800, 3600];

function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const r = [registry];
  return {
    registry,
    httpRequests: new Counter({
      name: "squadron_http_requests_total",
      help: "API requests served, by method, route (ids replaced by :id) and HTTP status.",
      labelNames: ["method", "route", "status"] as const,
      registers: r,
    }),
    httpDuration: new Histogram({
      name: "squadron_http_request_duration_seconds",
      help: "Duration of API requests, seconds.",
      labelNames: ["method", "route"] as const,
      buckets: LATENCY_BUCKETS,
      registers: r,
    }),
    rateLimitRefusals: new Counter({
      name: "squadron_rate_limit_refusals_total",
      help: "Requests refused with 429 by a per-minute rate limit, by subject kind (key = API key, user, webhook).",
      labelNames: ["subject"] as const,
      registers: r,
    }),
    stepDuration: new Histogram({
      name: "squadron_workflow_step_duration_seconds",
      help: "Duration of one attempt of a workflow step (step.run / step.sendEvent) executed by this process, by function, step kind and result.",
      labelNames: ["function", "step_kind", "result"] as const,
      buckets: WORKFLOW_BUCKETS,
      registers: r,
    }),
    runDuration: new Histogram({
      name: "squadron_workflow_run_duration_seconds",
      help: "Duration of finished workflow runs from their trigger event to the end, by function and result (completed, failed).",
      labelNames: ["function", "result"] as const,
      buckets: WORKFLOW_BUCKETS,
      registers: r,
    }),
    modelCalls: new Counter({
      name: "squadron_model_calls_total",
      help: "Model calls recorded in the usage ledger, by provider, model and agent role.",
      labelNames: ["provider", "model", "role"] as const,
      registers: r,
    }),
    modelTokens: new Counter({
      name: "squadron_model_tokens_total",
      help: "Tokens of recorded model calls, by provider, model, agent role and direction (input, output).",
      labelNames: ["provider", "model", "role", "direction"] as const,
      registers: r,
    }),
    modelCost: new Counter({
      name: "squadron_model_cost_usd_total",
      help: "Cost of recorded model calls in USD (prices of lib/llm/prices.ts), by provider, model and agent role.",
      labelNames: ["provider", "model", "role"] as const,
      registers: r,
    }),
    modelDuration: new Histogram({
      name: "squadron_model_call_duration_seconds",
      help: "Latency of successful model calls, seconds, by provider and model.",
      labelNames: ["provider", "model"] as const,
      buckets: LATENCY_BUCKETS,
      registers: r,
    }),
    modelFailures: new Counter({
      name: "squadron_model_call_failures_total",
      help: "Failed model call attempts (before any fallback), by provider, model and reason (rate_limited, server_error, timeout, …).",
      labelNames: ["provider", "model", "reason"] as const,
      registers: r,
    }),
    sseClients: new Gauge({
      name: "squadron_sse_clients",
      help: "Task event streams (SSE) this process holds open.",
      registers: r,
    }),
    webhookDeliveries: new Counter({
      name: "squadron_webhook_deliveries_total",
      help: "Inbound webhook deliveries, by source (github, github-app, jira, stripe) and result (accepted, refused, ignored, duplicate, invalid_signature, too_large, rate_limited, rejected, failed).",
      labelNames: ["source", "result"] as const,
      registers: r,
    }),
    tasks: new Gauge({
      name: "squadron_tasks",
      help: "Top-level tasks in the database, by status and outcome (none while running). From Postgres at scrape time.",
      labelNames: ["status", "outcome"] as const,
      registers: r,
    }),
    approvalsPending: new Gauge({
      name: "squadron_approvals_pending",
      help: "Approvals waiting for a person. From Postgres at scrape time.",
      registers: r,
    }),
    queueDepth: new Gauge({
      name: "squadron_executor_queue_depth",
      help: "Work items in the local executor's queue (inngest_local.queue), by kind and state (due, scheduled, leased). From Postgres at scrape time; absent without the local executor.",
      labelNames: ["kind", "state"] as const,
      registers: r,
    }),
    queueOldestDueAge: new Gauge({
      name: "squadron_executor_queue_oldest_due_age_seconds",
      help: "How long the oldest due, unleased item of the local executor's queue has waited, seconds (0 when none). From Postgres at scrape time.",
      registers: r,
    }),
    scrapeErrors: new Counter({
      name: "squadron_metrics_database_errors_total",
      help: "Scrapes whose database gauges could not be read (the gauges keep their last values).",
      registers: r,
    }),
  };
}

export type SquadronMetrics = ReturnType<typeof createMetrics>;

// One registry per process, however often a bundler loads this module (Next route chunks): metric
// names may be registered only once.
const globalKey = Symbol.for("squadron.observability.metrics");
type Holder = { [globalKey]?: SquadronMetrics };
const holder = globalThis as Holder;

/** The process's metrics (created on first use). */
export function metrics(): SquadronMetrics {
  return (holder[globalKey] ??= createMetrics());
}

/** Every metric name the registry defines (for the dashboard test and docs). */
export function metricNames(): string[] {
  return metrics()
    .registry.getMetricsAsArray()
    .map((m) => m.name);
}

/** Replaces ids (UUIDs, ULIDs, numbers) in a URL path by `:id`, so route labels stay few. */
export function routeLabel(pathname: string): string {
  return pathname
    .split("/")
    .map((s) =>
      /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s) || /^[0-9A-HJKMNP-TV-Z]{26}$/.test(s) || /^\d+$/.test(s) ? ":id" : s,
    )
    .join("/");
}

/** Counts one served API request and its duration (ms). */
export function recordHttpRequest(method: string, pathname: string, status: number, durationMs: number): void {
  const m = metrics();
  const route = routeLabel(pathname);
  m.httpRequests.inc({ method, route, status: String(status) });
  m.httpDuration.observe({ method, route }, durationMs / 1000);
}

/**
 * Counts one refusal (429) of a per-minute rate limit; `kind` is the subject's prefix in
 * `rate_limit_counters`: `key` (an API key), `user` (a signed-in user), `webhook` (an inbound endpoint).
 */
export function recordRateLimitRefusal(kind: string): void {
  metrics().rateLimitRefusals.inc({ subject: kind });
}

/**
 * Counts one model call that was recorded in the ledger (so a replayed step, which records nothing,
 * counts nothing): calls, input and output tokens, cost (USD micros in, USD out), latency (ms in).
 */
export function recordModelCall(call: {
  provider: string;
  model: string;
  role: string;
  inputTokens: number;
  outputTokens: number;
  costUsdMicros: number;
  latencyMs: number;
}): void {
  const m = metrics();
  const labels = { provider: call.provider, model: call.model, role: call.role };
  m.modelCalls.inc(labels);
  m.modelTokens.inc({ ...labels, direction: "input" }, call.inputTokens);
  m.modelTokens.inc({ ...labels, direction: "output" }, call.outputTokens);
  m.modelCost.inc(labels, call.costUsdMicros / 1_000_000);
  m.modelDuration.observe({ provider: call.provider, model: call.model }, call.latencyMs / 1000);
}

/** Counts one failed model call attempt (`reason` from `classifyProviderError`). */
export function recordModelFailure(provider: string, model: string, reason: string): void {
  metrics().modelFailures.inc({ provider, model, reason });
}

/**
 * The `result` label of an inbound webhook delivery: for a 2xx, the outcome the route answered
 * (`accepted`, `refused`, `ignored`, `duplicate`); else by status: `invalid_signature` (401),
 * `too_large` (413), `rate_limited` (429), `rejected` (other 4xx), `failed` (5xx).
 */
export function webhookResultOf(status: number, outcome: string | null): string {
  if (status < 300) return outcome ?? "accepted";
  if (status === 401) return "invalid_signature";
  if (status === 413) return "too_large";
  if (status === 429) return "rate_limited";
  return status < 500 ? "rejected" : "failed";
}

/** Counts one inbound webhook delivery (`source`: github, github-app, jira, stripe) by {@link webhookResultOf}. */
export function recordWebhookDelivery(source: string, status: number, outcome: string | null = null): void {
  metrics().webhookDeliveries.inc({ source, result: webhookResultOf(status, outcome) });
}

/** One more (+1) or one fewer (-1) open SSE stream. */
export function trackSseClient(delta: 1 | -1): void {
  metrics().sseClients.inc(delta);
}

/**
 * The kind of a step from its id, with the per-task parts dropped so the label has few values:
 * `subtask/<key>/start` → `subtask/start`, `agent/<role>/turn-3` → `agent/turn-N`, `send-<id>` →
 * `send-:id`, `plan` → `plan`.
 */
export function stepKindOf(stepId: string): string {
  const parts = stepId.split("/");
  const kept = parts.length > 2 ? [parts[0], parts[parts.length - 1]] : parts;
  return kept
    .map((p) => p.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, ":id").replace(/\d+/g, "N"))
    .join("/")
    .slice(0, 80);
}

/** Records one attempt of a step (`durationMs`, `result` ok or error). */
export function recordStep(functionId: string, stepId: string, result: "ok" | "error", durationMs: number): void {
  metrics().stepDuration.observe({ function: functionId, step_kind: stepKindOf(stepId), result }, durationMs / 1000);
}

/** Records a finished run (`durationMs` from its trigger event). */
export function recordRun(functionId: string, result: "completed" | "failed", durationMs: number): void {
  metrics().runDuration.observe({ function: functionId, result }, Math.max(0, durationMs) / 1000);
}

const rowsOf = <T>(result: unknown): T[] => (Array.isArray(result) ? (result as T[]) : []);

/**
 * Reads the database gauges: top-level tasks by status and outcome, pending approvals, and the local
 * executor's queue (`inngest_local.queue`, when that schema exists) by kind and state, with the age of
 * its oldest due item. Four aggregate queries over indexed columns. A failure counts in
 * `squadron_metrics_database_errors_total` and leaves the previous values.
 */
export async function refreshDatabaseGauges(db: Database, now = new Date()): Promise<void> {
  const m = metrics();
  try {
    const taskRows = rowsOf<{ status: string; outcome: string | null; n: number | string }>(
      await db.execute(sql`select status, outcome, count(*)::int as n from tasks where parent_task_id is null group by status, outcome`),
    );
    const approvalRows = rowsOf<{ n: number | string }>(await db.execute(sql`select count(*)::int as n from approvals where status = 'pending'`));
    const hasQueue = rowsOf<{ t: string | null }>(await db.execute(sql`select to_regclass('inngest_local.queue')::text as t`))[0]?.t;
    const queueRows = hasQueue
      ? rowsOf<{ kind: string; state: string; n: number | string; oldest: string | Date | null }>(
          await db.execute(sql`
            select kind,
                   case when lease_until is not null and lease_until > ${now.toISOString()}::timestamptz then 'leased'
                        when due_at <= ${now.toISOString()}::timestamptz then 'due' else 'scheduled' end as state,
                   count(*)::int as n,
                   min(due_at) as oldest
            from inngest_local.queue group by 1, 2`),
        )
      : [];
    m.tasks.reset();
    for (const row of taskRows) m.tasks.set({ status: row.status, outcome: row.outcome ?? "none" }, Number(row.n));
    m.approvalsPending.set(Number(approvalRows[0]?.n ?? 0));
    m.queueDepth.reset();
    let oldestDue: number | null = null;
    for (const row of queueRows) {
      m.queueDepth.set({ kind: row.kind, state: row.state }, Number(row.n));
      if (row.state === "due" && row.oldest) {
        const t = new Date(row.oldest).getTime();
        oldestDue = oldestDue === null ? t : Math.min(oldestDue, t);
      }
    }
    m.queueOldestDueAge.set(oldestDue === null ? 0 : Math.max(0, (now.getTime() - oldestDue) / 1000));
  } catch (error) {
    m.scrapeErrors.inc();
    componentLogger("metrics").warn({ err: error }, "database gauges could not be read");
  }
}

/** The exposition text (`text/plain; version=0.0.4`) and its content type. */
export async function renderMetrics(): Promise<{ body: string; contentType: string }> {
  const { registry } = metrics();
  return { body: await registry.metrics(), contentType: registry.contentType };
}
