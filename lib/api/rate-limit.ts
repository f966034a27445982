import { sql } from "drizzle-orm";
import type { Database } from "@/db/client";
import { recordRateLimitRefusal } from "@/lib/observability/metrics";

/** Length of a rate-limit window, ms (limits are per minute: `API_RATE_LIMIT_PER_MINUTE`). */
export const RATE_LIMIT_WINDOW_MS = 60_000;

/** The outcome of counting one request. */
export type RateLimitResult = {
  allowed: boolean;
  limit: number;
  /** Requests left in the current window (0 when refused). */
  remaining: number;
  /** Seconds until the window resets (the `Retry-After` of a refusal), at least 1. */
  resetSeconds: number;
};

/**
 * Counts one request of `subject` (`key:<api key id>` or `user:<user id>`) in the current fixed
 * one-minute window, in Postgres (`rate_limit_counters`), so every app instance shares the count:
 * one `INSERT … ON CONFLICT DO UPDATE … RETURNING` per request. Windows older than a minute are
 * deleted now and then (about 1 request in 100).
 *
 * @param limit requests allowed per window; 0 means unlimited (nothing is counted)
 */
export async function consumeRateLimit(db: Database, subject: string, limit: number, now = Date.now()): Promise<RateLimitResult> {
  if (limit <= 0) return { allowed: true, limit, remaining: Number.MAX_SAFE_INTEGER, resetSeconds: 1 };
  const windowStart = new Date(Math.floor(now / RATE_LIMIT_WINDOW_MS) * RATE_LIMIT_WINDOW_MS);
  const expiresAt = new Date(windowStart.getTime() + RATE_LIMIT_WINDOW_MS);
  const rows = await db.execute<{ count: number }>(sql`
    insert into rate_limit_counters (subject, window_start, count, expires_at)
    values (${subject}, ${windowStart.toISOString()}, 1, ${expiresAt.toISOString()})
    on conflict (subject, window_start) do update set count = rate_limit_counters.count + 1
    returning count`);
  if (Math.random() < 0.01) {
    await db.execute(sql`delete from rate_limit_counters where expires_at < ${new Date(now).toISOString()}`);
  }
  const count = Number(rows[0]?.count ?? 1);
  const resetSeconds = Math.max(1, Math.ceil((expiresAt.getTime() - now) / 1000));
  if (count > limit) recordRateLimitRefusal(subject.slice(0, Math.max(0, subject.indexOf(":"))) || "other");
  return { allowed: count <= limit, limit, remaining: Math.max(0, limit - count), resetSeconds };
}
