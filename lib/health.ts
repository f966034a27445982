import { sql } from "drizzle-orm";
import { getDb } from "@/db/client";
import { env } from "@/lib/env";

/** How long each health probe may take, in ms. */
const PROBE_TIMEOUT_MS = 2_000;

export type Health = {
  status: "ok" | "degraded";
  database: { ok: boolean; latencyMs: number | null; error?: string };
  executor: { ok: boolean; mode: "local" | "cloud"; url: string | null; detail?: unknown; error?: string };
};

/** Probes the database (`select 1`) and the workflow executor (the local executor's `/health`). */
export async function checkHealth(): Promise<Health> {
  const database: Health["database"] = await (async () => {
    const started = performance.now();
    try {
      await Promise.race([
        getDb().execute(sql`select 1`),
        new Promise((_, reject) => setTimeout(() => reject(new Error("timed out")), PROBE_TIMEOUT_MS)),
      ]);
      return { ok: true, latencyMs: Math.round(performance.now() - started) };
    } catch (error) {
      return { ok: false, latencyMs: null, error: error instanceof Error ? error.message : String(error) };
    }
  })();

  // The local executor is at INNGEST_DEV (dev mode) or, signed, at INNGEST_BASE_URL with INNGEST_LOCAL=1.
  const devUrl =
    env.INNGEST_DEV && /^https?:\/\//.test(env.INNGEST_DEV)
      ? env.INNGEST_DEV
      : env.INNGEST_LOCAL && env.INNGEST_BASE_URL
        ? env.INNGEST_BASE_URL
        : null;
  const executor: Health["executor"] = await (async () => {
    if (!devUrl) return { ok: true, mode: "cloud" as const, url: null };
    try {
      const res = await fetch(new URL("/health", devUrl), { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
      const detail: unknown = await res.json().catch(() => null);
      return { ok: res.ok, mode: "local" as const, url: devUrl, detail };
    } catch (error) {
      return { ok: false, mode: "local" as const, url: devUrl, error: error instanceof Error ? error.message : String(error) };
    }
  })();

  return { status: database.ok && executor.ok ? "ok" : "degraded", database, executor };
}
