/**
 * The scheduler: leases due queue items from Postgres, calls the app's serve endpoint the way the
 * Inngest server does, classifies the answer and hands it to the store.
 */
import { httpRequest, type HttpResponse } from "./http-client";
import { canonicalJson, signBody, verifySignature } from "./signing";
import type { CallOutcome, ClaimedItem, Store } from "./store";
import { parseRetryAfterMs } from "./time";
import { errorJson, opSchema, opsSchema, streamedResponseSchema, toSerializedError, type Json } from "./wire";

export type EngineOptions = {
  store: Store;
  log: (msg: string) => void;
  /** How often to look for due work when nothing woke the scheduler, in ms. */
  pollIntervalMs: number;
  /** Lease length in ms; renewed every third of it while a call is in flight. */
  leaseMs: number;
  /** Most calls to the app in flight at once from this executor. */
  maxConcurrentCalls: number;
  /** Give up on one call after this many ms (it then counts as a failed, retriable attempt). */
  callTimeoutMs: number;
  /**
   * Signing keys (the first signs; any verifies the app's answers). Empty: requests are unsigned and
   * marked `x-inngest-server-kind: dev`, for an SDK in dev mode.
   */
  signingKeys: string[];
  /** Clock for cron schedules, epoch ms. */
  cronNow: () => number;
};

/** How long a cached "next cron tick" is trusted before it is read again (other executors may sync). */
const CRON_REFRESH_MS = 5_000;

type InFlight = { item: ClaimedItem; controller: AbortController; promise: Promise<void> };

/**
 * Classifies an SDK answer (see notes/inngest-wire-facts.md and InngestCommHandler.handleAction).
 * @param signingKeys when non-empty, a signed answer must carry a valid signature (streamed answers
 *   carry it in their final headers)
 */
export function classifyResponse(res: HttpResponse, url: string, nowMs: number, signingKeys: string[] = []): CallOutcome {
  let { status, headers, body } = res;
  if (status === 201) {
    // Streaming answer (INNGEST_STREAMING): heartbeat spaces, then { status, headers, body }.
    const parsed = streamedResponseSchema.safeParse(safeJson(body.trim()));
    if (!parsed.success) {
      return { type: "error", retriable: true, retryAfterMs: null, error: errorJson(`unreadable streamed answer from ${url}`) };
    }
    status = parsed.data.status;
    headers = Object.fromEntries(Object.entries(parsed.data.headers).map(([k, v]) => [k.toLowerCase(), v]));
    body = parsed.data.body;
  }
  const signature = headers["x-inngest-signature"];
  if (signingKeys.length > 0 && signature !== undefined) {
    const problem = verifySignature(signature, body, signingKeys, nowMs);
    if (problem) {
      // Never apply an answer that claims to be signed but is not: it may not come from the app.
      return { type: "error", retriable: true, retryAfterMs: null, error: errorJson(`answer from ${url} rejected: ${problem}`, "SignatureError") };
    }
  }
  const retryAfterMs = parseRetryAfterMs(headers["retry-after"], nowMs);
  if (status === 200) {
    const output = safeJson(body);
    if (output === undefined) {
      return { type: "error", retriable: true, retryAfterMs, error: errorJson(`invalid JSON in the function's result from ${url}`) };
    }
    return { type: "complete", output };
  }
  if (status === 206) {
    const json = safeJson(body);
    const single = opSchema.safeParse(json);
    const many = opsSchema.safeParse(json);
    if (many.success) return { type: "ops", ops: many.data, retryAfterMs };
    if (single.success) return { type: "ops", ops: [single.data], retryAfterMs };
    return {
      type: "error",
      retriable: true,
      retryAfterMs,
      error: errorJson(`invalid op list from ${url}: ${many.error.issues[0]?.message ?? "unparseable"}`),
    };
  }
  const noRetry = headers["x-inngest-no-retry"];
  const retriable = noRetry === "true" ? false : noRetry === "false" ? true : status >= 500 || status === 429;
  const json = safeJson(body);
  let error = json !== undefined && json !== null && typeof json === "object" ? toSerializedError(json) : null;
  if (!error || noRetry === undefined) {
    const hint =
      status === 401
        ? signingKeys.length > 0
          ? " — the app rejected the signed call; does its INNGEST_SIGNING_KEY match the executor's signing key?"
          : " — the app rejected the call; is its Inngest client in dev mode (INNGEST_DEV=<executor url>)?"
        : status === 404
          ? " — is the serve endpoint at this URL?"
          : "";
    const detail = error ? `${error.name}: ${error.message}` : body.slice(0, 500);
    error = errorJson(`HTTP ${status} from ${url}: ${detail}${hint}`, error?.name ?? "Error");
  }
  return { type: "error", retriable, retryAfterMs, error };
}

function safeJson(text: string): Json | undefined {
  try {
    return JSON.parse(text) as Json;
  } catch {
    return undefined;
  }
}

/** Leases and works queue items until stopped. */
export class Engine {
  private readonly inFlight = new Map<string, InFlight>();
  private timer: NodeJS.Timeout | undefined;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private ticking = false;
  private again = false;
  private stopping = false;
  private started = false;
  private lastTickError = "";
  /** Earliest cron tick (epoch ms on the cron clock), `null` = none, `undefined` = unknown. */
  private nextCronAt: number | null | undefined;
  private nextCronReadAt = 0;

  constructor(private readonly opts: EngineOptions) {}

  /** Verbose tracing of every call, when INNGEST_LOCAL_DEBUG is set. */
  private debug(msg: string): void {
    if (process.env.INNGEST_LOCAL_DEBUG) this.opts.log(msg);
  }

  /** Starts polling and lease renewal (once; not after stop()). */
  start(): void {
    if (this.started || this.stopping) return;
    this.started = true;
    this.heartbeatTimer = setInterval(() => {
      const tokens = [...this.inFlight.keys()];
      this.opts.store.heartbeat(tokens, this.opts.leaseMs).catch((err: unknown) => {
        this.opts.log(`lease renewal failed: ${message(err)}`);
      });
    }, Math.max(250, Math.floor(this.opts.leaseMs / 3)));
    this.heartbeatTimer.unref?.();
    this.schedule(0);
  }

  /** Looks for due work now (after events arrive or a call finishes). */
  kick(): void {
    if (this.stopping || !this.started) return;
    if (this.ticking) {
      this.again = true;
      return;
    }
    this.schedule(0);
  }

  /** Cron schedules changed (a sync): read the next tick again. */
  cronsChanged(): void {
    this.nextCronAt = undefined;
    this.kick();
  }

  /** Starts the runs of due cron ticks, reading the schedule table only when a tick may be due. */
  private async fireCrons(): Promise<void> {
    const { store } = this.opts;
    const realNow = Date.now();
    if (this.nextCronAt === undefined || realNow - this.nextCronReadAt > CRON_REFRESH_MS) {
      this.nextCronAt = await store.nextCronAt();
      this.nextCronReadAt = realNow;
    }
    if (this.nextCronAt === null || this.opts.cronNow() < this.nextCronAt) return;
    await store.fireDueCrons();
    this.nextCronAt = await store.nextCronAt();
    this.nextCronReadAt = Date.now();
  }

  /** Number of calls in flight. */
  get busy(): number {
    return this.inFlight.size;
  }

  /**
   * Stops: no new work is leased; calls in flight may finish for up to `drainMs` (their leases kept
   * alive meanwhile, their outcomes applied as usual); what is still running then is aborted and its
   * leases released so another executor (or the next start) picks it up at once. Resolves when every
   * worker has settled.
   * @param opts.drainMs how long in-flight calls may run on, ms (default 0: abort at once)
   */
  async stop(opts: { drainMs?: number } = {}): Promise<void> {
    this.stopping = true;
    if (this.timer) clearTimeout(this.timer);
    // A claim in progress either spawns before we look at inFlight or gives its items back itself.
    while (this.ticking) await new Promise((r) => setTimeout(r, 5));
    const drainMs = opts.drainMs ?? 0;
    if (drainMs > 0 && this.inFlight.size > 0) {
      this.opts.log(`draining ${this.inFlight.size} call(s) in flight (up to ${drainMs} ms)`);
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise((r) => (timer = setTimeout(r, drainMs)));
      await Promise.race([Promise.allSettled([...this.inFlight.values()].map((f) => f.promise)), deadline]);
      clearTimeout(timer);
    }
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    const pending = [...this.inFlight.values()];
    for (const f of pending) f.controller.abort();
    await Promise.allSettled(pending.map((f) => f.promise));
    const tokens = [...this.inFlight.keys()];
    if (tokens.length > 0) {
      await this.opts.store.releaseLeases(tokens).catch((err: unknown) => {
        this.opts.log(`could not release ${tokens.length} lease(s) on stop (they expire in ${this.opts.leaseMs} ms): ${message(err)}`);
      });
    }
    this.inFlight.clear();
  }

  private schedule(delayMs: number): void {
    if (this.stopping) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.tick(), delayMs);
  }

  private async tick(): Promise<void> {
    if (this.stopping || this.ticking) return;
    this.ticking = true;
    this.again = false;
    let next = this.opts.pollIntervalMs;
    try {
      await this.fireCrons();
      const free = this.opts.maxConcurrentCalls - this.inFlight.size;
      if (free > 0 && (await this.opts.store.hasDueWork())) {
        const items = await this.opts.store.claim(free, this.opts.leaseMs);
        if (this.stopping) {
          await this.opts.store.releaseLeases(items.map((i) => i.leaseToken));
          return;
        }
        for (const item of items) this.spawn(item);
        if (items.length === free) next = 0;
      }
      this.lastTickError = "";
    } catch (err) {
      const msg = message(err);
      if (msg !== this.lastTickError) this.opts.log(`scheduler: ${msg}`);
      this.lastTickError = msg;
      next = Math.max(this.opts.pollIntervalMs, 1000);
    } finally {
      this.ticking = false;
      this.schedule(this.again ? 0 : next);
    }
  }

  private spawn(item: ClaimedItem): void {
    const controller = new AbortController();
    const entry: InFlight = { item, controller, promise: Promise.resolve() };
    this.inFlight.set(item.leaseToken, entry);
    entry.promise = this.work(item, controller.signal)
      .then((applied) => {
        if (applied) this.inFlight.delete(item.leaseToken);
      })
      .catch((err: unknown) => {
        this.opts.log(`run ${item.runId}: ${item.kind} item failed to process: ${message(err)}`);
      })
      .finally(() => {
        if (this.stopping) return;
        // Give an item that failed to process back right away rather than when its lease expires.
        if (this.inFlight.has(item.leaseToken)) {
          this.inFlight.delete(item.leaseToken);
          this.opts.store.releaseLeases([item.leaseToken]).catch(() => {});
        }
        this.kick();
      });
  }

  /** @returns true when the outcome was applied (or is obsolete); false when aborted by stop(). */
  private async work(item: ClaimedItem, signal: AbortSignal): Promise<boolean> {
    const { store } = this.opts;
    if (item.kind === "sleep" || item.kind === "wait" || item.kind === "invoke" || item.kind === "timeout") {
      await store.applyOutcome(item, { type: "timer" });
      return true;
    }
    const prepared = await store.callContext(item);
    if (prepared.type === "inactive") {
      await store.discard(item);
      return true;
    }
    if (prepared.type === "timed-out") {
      await store.applyOutcome(item, { type: "cancel", reason: prepared.reason });
      return true;
    }
    if (prepared.type === "missing-function") {
      await store.applyOutcome(item, { type: "error", retriable: false, retryAfterMs: null, error: errorJson(prepared.message) });
      return true;
    }
    const ctx = prepared.call;
    if (item.kind === "step" && item.stepHash in ctx.body.steps) {
      await store.applyOutcome(item, { type: "already-memoized" });
      return true;
    }

    let outcome: CallOutcome;
    const started = Date.now();
    this.debug(`run ${item.runId}: calling ${item.kind}${item.kind === "step" ? ` ${item.stepHash.slice(0, 8)}` : ""} attempt ${item.attempt} (${Object.keys(ctx.body.steps).length} memoized, immediate=${!ctx.body.ctx.disable_immediate_execution})${process.env.INNGEST_LOCAL_DEBUG === "2" ? ` ${JSON.stringify(ctx.body.ctx)} ${JSON.stringify(ctx.body.steps)}` : ""}`);
    try {
      const signingKey = this.opts.signingKeys[0];
      // Signed calls send the JCS form: the SDK verifies the canonicalized body it parses.
      const body = signingKey ? canonicalJson(ctx.body) : JSON.stringify(ctx.body);
      const headers: Record<string, string> = {
        "content-type": "application/json",
        "x-inngest-server-kind": signingKey ? "cloud" : "dev",
        "user-agent": "squadron-inngest-local",
      };
      if (signingKey) headers["x-inngest-signature"] = signBody(signingKey, body);
      const res = await httpRequest(ctx.url, {
        method: "POST",
        headers,
        body,
        signal,
        timeoutMs: this.opts.callTimeoutMs,
      });
      outcome = classifyResponse(res, ctx.url, Date.now(), this.opts.signingKeys);
      this.debug(
        `run ${item.runId}: ${item.kind} answered HTTP ${res.status} in ${Date.now() - started} ms: ` +
          (outcome.type === "ops" ? outcome.ops.map((o) => `${o.op}:${o.displayName ?? o.id}`).join(", ") : outcome.type),
      );
    } catch (err) {
      if (signal.aborted && this.stopping) return false;
      outcome = {
        type: "error",
        retriable: true,
        retryAfterMs: null,
        error: errorJson(`could not call ${ctx.url}: ${message(err)}`, "NetworkError"),
      };
    }
    if (outcome.type === "error" && outcome.retriable && this.stopping) return false;
    const result = await store.applyOutcome(item, outcome);
    if (result === "stale") {
      this.opts.log(`run ${item.runId}: lease on a ${item.kind} item was lost; its result was discarded`);
    }
    return true;
  }
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
