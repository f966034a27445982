/**
 * Time helpers: Inngest time strings and retry backoff. All durations are milliseconds.
 */
import ms from "ms";

const UNIT_MS: Record<string, number> = {
  w: 7 * 24 * 60 * 60 * 1000,
  d: 24 * 60 * 60 * 1000,
  h: 60 * 60 * 1000,
  m: 60 * 1000,
  s: 1000,
  ms: 1,
};

/**
 * Parses a duration as the SDK sends it (`timeStr`: "1w2d3h4m5s", "30s"; `""` for zero) or any
 * `ms`-compatible string ("1.5 hours").
 * @returns milliseconds, or `null` when the string is not a duration
 */
export function parseDurationMs(input: string): number | null {
  const text = input.trim();
  if (text === "") return 0;
  const compound = /^(?:\d+(?:ms|w|d|h|m|s))+$/;
  if (compound.test(text)) {
    let total = 0;
    for (const match of text.matchAll(/(\d+)(ms|w|d|h|m|s)/g)) {
      const [, amount, unit] = match;
      total += Number(amount) * (UNIT_MS[unit ?? "s"] ?? 0);
    }
    return total;
  }
  if (/^\d+$/.test(text)) return Number(text);
  const parsed = ms(text as ms.StringValue);
  return typeof parsed === "number" && Number.isFinite(parsed) ? parsed : null;
}

/**
 * Resolves the `name` of a `Sleep` op: a duration ("2s") relative to `nowMs`, or an ISO timestamp
 * from `step.sleepUntil`.
 * @returns epoch milliseconds when the sleep ends, or `null` when `name` is neither
 */
export function resolveSleepUntil(name: string, nowMs: number): number | null {
  const duration = parseDurationMs(name);
  if (duration !== null) return nowMs + duration;
  const at = Date.parse(name);
  return Number.isFinite(at) ? at : null;
}

/**
 * Parses a `Retry-After` header value: seconds, or an HTTP/ISO date.
 * @returns the delay in milliseconds from `nowMs` (never negative), or `null`
 */
export function parseRetryAfterMs(value: string | undefined, nowMs: number): number | null {
  if (!value) return null;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.max(0, Math.round(Number(text) * 1000));
  const at = Date.parse(text);
  return Number.isFinite(at) ? Math.max(0, at - nowMs) : null;
}

/** Longest retry delay the backoff produces (Inngest caps its schedule too). */
export const MAX_BACKOFF_MS = 12 * 60 * 60 * 1000;

/**
 * Exponential backoff with jitter, like Inngest's schedule (15 s, 30 s, 1 min, 2 min, … for a 15 s
 * base): `base * 2^(retry-1)`, plus up to 20 % random jitter, capped at {@link MAX_BACKOFF_MS}.
 * @param baseMs delay before the first retry
 * @param retry 1 for the first retry, 2 for the second, …
 */
export function backoffMs(baseMs: number, retry: number, random: () => number = Math.random): number {
  const exponent = Math.min(Math.max(retry - 1, 0), 30);
  const delay = Math.min(baseMs * 2 ** exponent, MAX_BACKOFF_MS);
  return Math.round(delay + delay * 0.2 * random());
}
