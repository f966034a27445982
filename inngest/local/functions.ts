/**
 * Turning registered function configs into what the executor runs, and rejecting — at sync time,
 * loudly — every option it does not implement, so nothing is silently ignored.
 */
import { z } from "zod";
import { celSyntaxError } from "./cel";
import { parseCron, type CronSpec } from "./cron";
import { parseDurationMs } from "./time";
import { functionConfigSchema, type JsonObject } from "./wire";

/** Inngest's default when a function does not set `retries`. */
export const DEFAULT_RETRIES = 3;
/** Inngest's upper bound for `retries`. */
export const MAX_RETRIES = 20;

export type EventTrigger = { event: string; expression?: string };
export type ConcurrencyConstraint = { limit: number; key?: string };
export type CancelRule = { event: string; if?: string; timeout?: string };
/** `timeouts` in milliseconds; absent = no limit. */
export type RunTimeouts = {
  /** Cancel a run that has not started (its first call to the app) this long after it was created. */
  startMs?: number;
  /** Cancel a run still going this long after it started. */
  finishMs?: number;
};

const timeoutsSchema = z
  .object({ start: z.string().nullish(), finish: z.string().nullish() })
  .strict();

/** A function as the executor stores and runs it. */
export type FunctionRecord = {
  id: string;
  appId: string;
  name: string;
  /** URL to POST to (carries `fnId` and `stepId=step`). */
  url: string;
  triggers: EventTrigger[];
  /** Cron triggers, parsed. */
  crons: CronSpec[];
  /** Number of retries after the first try. */
  retries: number;
  concurrency: ConcurrencyConstraint[];
  cancel: CancelRule[];
  idempotency: string | null;
  timeouts: RunTimeouts;
  /** The config exactly as registered. */
  config: JsonObject;
};

/** Function options the executor knows and deliberately does not implement. */
const UNSUPPORTED_OPTIONS = [
  "batchEvents",
  "rateLimit",
  "throttle",
  "singleton",
  "debounce",
  "priority",
] as const;

/** Why each unimplemented option is rejected, for the sync answer. */
const WHY_UNSUPPORTED: Record<(typeof UNSUPPORTED_OPTIONS)[number], string> = {
  batchEvents: "runs would get one event instead of a batch",
  rateLimit: "events over the limit would start runs instead of being skipped",
  throttle: "runs over the limit would start at once instead of being delayed",
  singleton: "a second run would start alongside the first",
  debounce: "every event would start a run at once",
  priority: "runs would not be reordered",
};

const KNOWN_KEYS = new Set<string>([
  "id",
  "name",
  "triggers",
  "steps",
  "idempotency",
  "concurrency",
  "cancel",
  "timeouts",
  ...UNSUPPORTED_OPTIONS,
]);

/**
 * Validates one function config from `POST /fn/register`.
 * @returns the record to store, or the list of problems (each names the function and the option)
 */
export function toFunctionRecord(
  appId: string,
  raw: unknown,
): { ok: true; fn: FunctionRecord } | { ok: false; errors: string[] } {
  const rawId =
    raw && typeof raw === "object" && "id" in raw && typeof raw.id === "string" ? raw.id : "<unknown id>";
  const parsed = functionConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const detail = parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ");
    return { ok: false, errors: [`function "${rawId}": invalid config (${detail})`] };
  }
  const cfg = parsed.data;
  const errors: string[] = [];
  const fail = (msg: string) => errors.push(`function "${cfg.id}": ${msg}`);

  for (const option of UNSUPPORTED_OPTIONS) {
    if (cfg[option] !== undefined && cfg[option] !== null) {
      fail(`option "${option}" is not implemented by the local executor (inngest/local): ${WHY_UNSUPPORTED[option]}`);
    }
  }
  for (const key of Object.keys(cfg)) {
    if (!KNOWN_KEYS.has(key) && cfg[key] !== undefined && cfg[key] !== null) {
      fail(`option "${key}" is unknown to the local executor (inngest/local)`);
    }
  }

  const triggers: EventTrigger[] = [];
  const crons: CronSpec[] = [];
  for (const trigger of cfg.triggers) {
    if ("cron" in trigger) {
      if (trigger.jitter) {
        fail(`cron trigger "${trigger.cron}": "jitter" is not implemented by the local executor (inngest/local)`);
        continue;
      }
      const parsed = parseCron(trigger.cron);
      if (!parsed.ok) fail(`cron trigger "${trigger.cron}" is not a valid Inngest cron schedule: ${parsed.error}`);
      else if (crons.some((c) => c.cron === trigger.cron)) fail(`duplicate cron trigger "${trigger.cron}"`);
      else crons.push(parsed.spec);
      continue;
    }
    if (trigger.event.includes("*") && !isValidWildcard(trigger.event)) {
      fail(
        `trigger "${trigger.event}": a wildcard must be the last character and follow "/" or "." ` +
          `(Inngest would never start this function)`,
      );
    }
    if (trigger.expression) {
      const err = celSyntaxError(trigger.expression);
      if (err) fail(`trigger expression "${trigger.expression}" is not valid CEL: ${err}`);
    }
    triggers.push(trigger.expression ? { event: trigger.event, expression: trigger.expression } : { event: trigger.event });
  }

  const stepEntries = Object.values(cfg.steps);
  const step = cfg.steps.step ?? stepEntries[0];
  let url = "";
  let retries = DEFAULT_RETRIES;
  if (!step || stepEntries.length !== 1) {
    fail(`expected exactly one step entry, got ${stepEntries.length}`);
  } else {
    if (step.runtime.type !== "http") {
      fail(`runtime "${step.runtime.type}" is not implemented by the local executor (only "http"; connect is not)`);
    }
    url = step.runtime.url;
    try {
      new URL(url);
    } catch {
      fail(`step URL "${url}" is not a valid URL`);
    }
    const attempts = step.retries?.attempts;
    if (attempts !== undefined) {
      if (!Number.isInteger(attempts) || attempts < 0 || attempts > MAX_RETRIES) {
        fail(`retries must be an integer between 0 and ${MAX_RETRIES}, got ${attempts}`);
      } else {
        retries = attempts;
      }
    }
  }

  const concurrency: ConcurrencyConstraint[] = [];
  const rawConcurrency =
    cfg.concurrency === undefined ? [] : Array.isArray(cfg.concurrency) ? cfg.concurrency : [cfg.concurrency];
  for (const c of rawConcurrency) {
    const option = typeof c === "number" ? { limit: c } : c;
    if (!Number.isInteger(option.limit) || option.limit < 0) {
      fail(`concurrency limit must be a non-negative integer, got ${option.limit}`);
      continue;
    }
    if ("scope" in option && option.scope !== undefined && option.scope !== "fn") {
      fail(`concurrency scope "${option.scope}" is not implemented by the local executor (only "fn")`);
      continue;
    }
    if ("key" in option && option.key) {
      const err = celSyntaxError(option.key);
      if (err) fail(`concurrency key "${option.key}" is not valid CEL: ${err}`);
    }
    // limit 0 means "no function-level limit" in Inngest.
    if (option.limit > 0) concurrency.push("key" in option && option.key ? { limit: option.limit, key: option.key } : { limit: option.limit });
  }
  if (rawConcurrency.length > 2) fail(`at most 2 concurrency constraints are allowed`);

  const cancel: CancelRule[] = [];
  for (const rule of cfg.cancel ?? []) {
    if (rule.if) {
      const err = celSyntaxError(rule.if);
      if (err) fail(`cancelOn "if" expression "${rule.if}" is not valid CEL: ${err}`);
    }
    if (rule.timeout !== undefined && parseDurationMs(rule.timeout) === null) {
      fail(`cancelOn timeout "${rule.timeout}" is not a duration`);
    }
    cancel.push({ event: rule.event, ...(rule.if ? { if: rule.if } : {}), ...(rule.timeout ? { timeout: rule.timeout } : {}) });
  }

  if (cfg.idempotency) {
    const err = celSyntaxError(cfg.idempotency);
    if (err) fail(`idempotency key "${cfg.idempotency}" is not valid CEL: ${err}`);
  }

  const timeouts: RunTimeouts = {};
  if (cfg.timeouts !== undefined && cfg.timeouts !== null) {
    const parsed = timeoutsSchema.safeParse(cfg.timeouts);
    if (!parsed.success) {
      fail(`timeouts must be { start?, finish? } with duration strings (${parsed.error.issues[0]?.message ?? "invalid"})`);
    } else {
      for (const key of ["start", "finish"] as const) {
        const text = parsed.data[key];
        if (text === undefined || text === null) continue;
        const ms = parseDurationMs(text);
        if (ms === null || ms <= 0) fail(`timeouts.${key} "${text}" is not a positive duration`);
        else timeouts[key === "start" ? "startMs" : "finishMs"] = ms;
      }
    }
  }

  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    fn: {
      id: cfg.id,
      appId,
      name: cfg.name ?? cfg.id,
      url,
      triggers,
      crons,
      retries,
      concurrency,
      cancel,
      idempotency: cfg.idempotency ?? null,
      timeouts,
      config: JSON.parse(JSON.stringify(cfg)) as JsonObject,
    },
  };
}

/** A wildcard Inngest can match: one trailing `*` right after a `/` or a `.` (`app/*`, `app/user.*`). */
function isValidWildcard(pattern: string): boolean {
  return /^[^*]+[/.]\*$/.test(pattern);
}

/**
 * True when an event name matches a trigger's event: exactly, or through a trailing wildcard after a
 * `/` or `.` boundary, as Inngest matches them (`app/*` matches `app/user.created`; `app/us*` never
 * matches anything).
 */
export function eventNameMatches(pattern: string, name: string): boolean {
  if (pattern.endsWith("*")) {
    if (!isValidWildcard(pattern)) return false;
    const prefix = pattern.slice(0, -1);
    return name.length > prefix.length && name.startsWith(prefix);
  }
  return pattern === name;
}
