/**
 * The local Inngest executor from the command line.
 *
 *   npx tsx inngest/local/cli.ts [serve]            run the executor (until SIGINT/SIGTERM)
 *   npx tsx inngest/local/cli.ts runs [--status failed] [--function <id>] [--limit 20] [--url <executor>]
 *   npx tsx inngest/local/cli.ts run <run id> [--url <executor>]
 *
 * `serve` environment:
 * - `DATABASE_URL` (required) — Postgres (or PGlite behind pglite-socket) for schema `inngest_local`
 * - `INNGEST_LOCAL_APP_URL` — the app's serve endpoint (default http://127.0.0.1:3000/api/inngest)
 * - `INNGEST_LOCAL_PORT` — port to listen on (default 8288; 0 picks a free one)
 * - `INNGEST_LOCAL_HOST` — interface (default 127.0.0.1)
 * - `INNGEST_LOCAL_RETRY_BASE_MS` — retry backoff base in ms (default 15000)
 * - `INNGEST_SIGNING_KEY` (+ `INNGEST_SIGNING_KEY_FALLBACK`) — sign calls like Inngest Cloud; the app
 *   must then run its SDK in cloud mode (INNGEST_DEV=0, INNGEST_BASE_URL=<printed url>, same key)
 *
 * Without a signing key, start the app with `INNGEST_DEV=<printed url>`.
 * `runs`/`run` read the executor's HTTP API at `--url`, `INNGEST_LOCAL_URL`, or http://127.0.0.1:8288.
 */
import { startLocalExecutor } from "./index";

type RunRow = {
  id: string;
  function_id: string;
  status: string;
  event_name: string;
  created_at: string;
  started_at: string | null;
  duration_ms: number | null;
  error: { name?: string; message?: string } | null;
  steps: { name: string | null; status: string; attempts: number }[];
};

function intEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) {
    console.error(`[inngest/local] ${name} must be a non-negative integer, got "${raw}"`);
    process.exit(2);
  }
  return n;
}

/** `--name value` flags after the command. */
function flags(args: string[]): { values: Map<string, string>; positional: string[] } {
  const values = new Map<string, string>();
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? "";
    if (arg.startsWith("--")) {
      const [name, inline] = arg.slice(2).split("=", 2);
      const value = inline ?? args[++i];
      if (!name || value === undefined) {
        console.error(`missing value for ${arg}`);
        process.exit(2);
      }
      values.set(name, value);
    } else positional.push(arg);
  }
  return { values, positional };
}

async function getJson<T>(base: string, path: string): Promise<{ status: number; body: T }> {
  let res: Response;
  try {
    res = await fetch(`${base.replace(/\/+$/, "")}${path}`, { headers: { accept: "application/json" } });
  } catch (err) {
    console.error(`cannot reach the executor at ${base} (${err instanceof Error ? err.message : String(err)}); pass --url or INNGEST_LOCAL_URL`);
    process.exit(1);
  }
  return { status: res.status, body: (await res.json()) as T };
}

function pad(text: string, width: number): string {
  return text.length >= width ? `${text.slice(0, width - 1)}…` : text.padEnd(width);
}

function fmtDuration(run: RunRow): string {
  const ms = run.duration_ms ?? (run.started_at ? Date.now() - Date.parse(run.started_at) : null);
  if (ms === null) return "-";
  const text = ms < 1000 ? `${ms}ms` : ms < 120_000 ? `${(ms / 1000).toFixed(1)}s` : `${Math.round(ms / 60_000)}m`;
  return run.duration_ms === null ? `${text}+` : text;
}

async function listRuns(args: string[]): Promise<void> {
  const { values } = flags(args);
  const base = values.get("url") ?? process.env.INNGEST_LOCAL_URL ?? "http://127.0.0.1:8288";
  const q = new URLSearchParams({ limit: values.get("limit") ?? "20" });
  if (values.get("status")) q.set("status", values.get("status") ?? "");
  if (values.get("function")) q.set("function", values.get("function") ?? "");
  const { status, body } = await getJson<{ runs: RunRow[] }>(base, `/runs?${q.toString()}`);
  if (status !== 200) {
    console.error(`executor answered HTTP ${status}`);
    process.exit(1);
  }
  if (body.runs.length === 0) {
    console.log("no runs");
    return;
  }
  console.log(`${pad("RUN", 27)} ${pad("STATUS", 10)} ${pad("FUNCTION", 32)} ${pad("CREATED", 20)} ${pad("TOOK", 8)} ${pad("STEPS", 6)} ERROR / CURRENT STEP`);
  for (const run of body.runs) {
    const done = run.steps.filter((s) => s.status === "completed").length;
    const current = run.steps.filter((s) => !["completed", "failed", "cancelled"].includes(s.status)).map((s) => `${s.name ?? "?"} (${s.status})`);
    const detail = run.error ? `${run.error.name ?? "Error"}: ${run.error.message ?? ""}` : current.join(", ");
    console.log(
      `${pad(run.id, 27)} ${pad(run.status, 10)} ${pad(run.function_id, 32)} ${pad(run.created_at.replace("T", " ").slice(0, 19), 20)} ${pad(fmtDuration(run), 8)} ${pad(`${done}/${run.steps.length}`, 6)} ${detail.replace(/\s+/g, " ").slice(0, 160)}`,
    );
  }
}

async function showRun(args: string[]): Promise<void> {
  const { values, positional } = flags(args);
  const id = positional[0];
  if (!id) {
    console.error("usage: cli.ts run <run id> [--url <executor>]");
    process.exit(2);
  }
  const base = values.get("url") ?? process.env.INNGEST_LOCAL_URL ?? "http://127.0.0.1:8288";
  const { status, body } = await getJson<unknown>(base, `/runs/${encodeURIComponent(id)}`);
  if (status === 404) {
    console.error(`run ${id} not found`);
    process.exit(1);
  }
  console.log(JSON.stringify(body, null, 2));
}

async function serve(): Promise<void> {
  const databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) {
    console.error("[inngest/local] DATABASE_URL is required (postgres://…)");
    process.exit(2);
  }
  const executor = await startLocalExecutor({
    databaseUrl,
    appUrl: process.env.INNGEST_LOCAL_APP_URL || "http://127.0.0.1:3000/api/inngest",
    port: intEnv("INNGEST_LOCAL_PORT", 8288),
    host: process.env.INNGEST_LOCAL_HOST || "127.0.0.1",
    retryBaseDelayMs: intEnv("INNGEST_LOCAL_RETRY_BASE_MS", 15_000),
    ...(process.env.INNGEST_SIGNING_KEY ? { signingKey: process.env.INNGEST_SIGNING_KEY } : {}),
    ...(process.env.INNGEST_SIGNING_KEY_FALLBACK ? { signingKeyFallback: process.env.INNGEST_SIGNING_KEY_FALLBACK } : {}),
  });
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`[inngest/local] ${signal}: stopping`);
    executor.stop({ drainMs: intEnv("SHUTDOWN_DRAIN_MS", 10_000) }).then(
      () => process.exit(0),
      (err: unknown) => {
        console.error("[inngest/local] stop failed:", err);
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", () => shutdown("SIGINT"));
  process.on("SIGTERM", () => shutdown("SIGTERM"));
}

const [command = "serve", ...rest] = process.argv.slice(2);
const commands: Record<string, (args: string[]) => Promise<void>> = { serve: () => serve(), runs: listRuns, run: showRun };
const handler = commands[command];
if (!handler) {
  console.error(`unknown command "${command}"; use serve, runs or run`);
  process.exit(2);
}
handler(rest).catch((err: unknown) => {
  console.error(`[inngest/local] ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
