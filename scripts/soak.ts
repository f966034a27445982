/**
 * `npm run soak` — the chaos soak (issue 14). N tasks through the REST API while a driver SIGKILLs
 * the app, the executor or both at random moments and crash-restarts PostgreSQL; then checks that
 * nothing was lost, duplicated, stuck or left behind, and prints the figures.
 *
 *   npm run soak -- [--tasks 200] [--kills 20] [--db-restarts 2] [--minutes 25] [--concurrency 10]
 *                   [--latency-ms 150] [--sse 10] [--seed <n>] [--json <file>] [--keep]
 *
 * Bounded and loopback only: a private PostgreSQL cluster (scripts/soak-db.ts; a labelled fallback
 * on a shared server when none can be made), the app (scripts/soak-app.ts: the real route handlers)
 * and the local executor (scripts/soak-executor.ts) as child processes on 127.0.0.1, the offline
 * model (no key), a temporary DATA_DIR. Stops by itself after the tasks or `--minutes`, removes
 * what it made, exits 1 when a check fails. See RELIABILITY.md.
 *
 * Scripts (what each task's client does, and the end state that implies):
 * - `code`    — "Add a DELETE /todos/:id endpoint" on the default squad (the offline model really
 *               edits the example repository) → `completed`
 * - `approve` — the same on a `human_required` squad; the soak's approver approves every approval → `completed`
 * - `reject`  — on the `human_required` squad; the approver rejects its first approval → `cancelled`
 * - `cancel`  — on the default squad, cancelled after a random delay → `cancelled` (or, when the
 *               cancel answered 409 because it had already ended, the state it named)
 * - `retry`   — on a repository whose folder the soak removed → `failed`; the folder is put back and
 *               `POST /tasks/{id}/retry` → `completed`
 * A task whose creation hit a dead executor (503, saved `failed`) is retried by its client until it
 * is dispatched; that is part of every script.
 */
import { spawn, execFile, type ChildProcess } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import postgres from "postgres";
import { freePort, startSoakDatabase, type SoakDatabase } from "./soak-db";

const execFileP = promisify(execFile);

// ── Options ─────────────────────────────────────────────────────────────────────────────────────
function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const n = Number(process.argv[i + 1]);
  if (!Number.isFinite(n) || n < 0) {
    console.error(`--${name} needs a non-negative number`);
    process.exit(2);
  }
  return n;
}
function stringOption(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? undefined : process.argv[i + 1];
}
const TASKS = option("tasks", 200);
const KILLS = option("kills", 20);
const DB_RESTARTS = option("db-restarts", 2);
const MINUTES = option("minutes", 25);
const CONCURRENCY = Math.max(1, option("concurrency", 10));
const LATENCY_MS = option("latency-ms", 150);
const SSE_CLIENTS = option("sse", 10);
const SEED = option("seed", Date.now() % 1_000_000);
const JSON_OUT = stringOption("json");
const KEEP = process.argv.includes("--keep");
/** A run left with due work this long after the end is stuck. */
const STUCK_BOUND_MS = 30_000;
/** One task's script may take this long (a task not at its end state by then is reported, not waited for). */
const TASK_TIMEOUT_MS = 6 * 60_000;

const ROOT = process.cwd();
const t0 = Date.now();
const deadline = t0 + MINUTES * 60_000;
const log = (m: string) => console.log(`[soak +${((Date.now() - t0) / 1000).toFixed(1)}s] ${m}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// Deterministic randomness per seed (mulberry32), so a failing mix can be replayed.
let rngState = SEED >>> 0;
function rand(): number {
  rngState = (rngState + 0x6d2b79f5) >>> 0;
  let t = rngState;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)] as T;

// ── Child processes ─────────────────────────────────────────────────────────────────────────────
type Child = { name: string; proc: ChildProcess; output: string[]; ready: Promise<void>; exited: Promise<void>; killedByUs: boolean };
const unexpectedExits: string[] = [];
const exitLogs: { name: string; pid: number; atMs: number; tail: string[] }[] = [];

function spawnChild(name: string, script: string, env: NodeJS.ProcessEnv): Child {
  // `node --import tsx` (not the tsx binary, which forks): the PID we kill is the process itself.
  const proc = spawn(process.execPath, ["--import", "tsx", script], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
  const output: string[] = [];
  let resolveReady: () => void = () => {};
  let rejectReady: (e: Error) => void = () => {};
  const ready = new Promise<void>((res, rej) => {
    resolveReady = res;
    rejectReady = rej;
  });
  ready.catch(() => {});
  const onData = (chunk: Buffer) => {
    for (const line of chunk.toString("utf8").split("\n")) {
      if (!line) continue;
      output.push(line);
      if (output.length > 300) output.shift();
      if (line.startsWith("READY ")) resolveReady();
      if (process.env.SOAK_DEBUG) console.log(`  [${name} ${proc.pid}] ${line}`);
    }
  };
  proc.stdout?.on("data", onData);
  proc.stderr?.on("data", onData);
  const child: Child = { name, proc, output, ready, exited: Promise.resolve(), killedByUs: false };
  child.exited = new Promise<void>((resolve) => {
    proc.once("exit", (code, signal) => {
      rejectReady(new Error(`${name} exited (${signal ?? code}) before it was ready:\n${output.slice(-30).join("\n")}`));
      if (!child.killedByUs && !stopping) {
        // The fatal error, not the JSON log lines before it: the first line of the last stack trace printed.
        const fatal = output.filter((l) => !l.startsWith("{") && /^\S*(Error|Exception)\b|^\s*\^|Error:/.test(l));
        const why = fatal.slice(-3).join(" | ") || output.slice(-3).join(" | ");
        exitLogs.push({ name, pid: proc.pid ?? 0, atMs: Date.now() - t0, tail: output.slice(-25) });
        unexpectedExits.push(`${name} pid ${proc.pid} exited by itself (${signal ?? code}) ${Date.now() - t0} ms into the soak: ${why}`);
        log(`${name} exited by itself (${signal ?? code}): ${why.slice(0, 200)}; restarting it`);
        // Like a process manager: start it again (only if it is still the current one).
        setTimeout(() => {
          if (stopping) return;
          if (name === "app" && app === child) startApp();
          if (name === "executor" && executor === child) startExecutor();
        }, 500);
      }
      resolve();
    });
  });
  return child;
}

let db: SoakDatabase | undefined;
let dataDir = "";
let appPort = 0;
let execPort = 0;
let app: Child | undefined;
let executor: Child | undefined;
let stopping = false;

function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_OPTIONS: "",
    NODE_ENV: "production",
    DATABASE_URL: db?.url,
    DATABASE_POOL_MAX: "10",
    DATA_DIR: dataDir,
    BETTER_AUTH_SECRET: "soak-secret-soak-secret-soak-secret-0123456789",
    API_RATE_LIMIT_PER_MINUTE: "0",
    OFFLINE_MODEL_LATENCY_MS: String(LATENCY_MS),
    LOG_LEVEL: process.env.LOG_LEVEL ?? "warn",
    INNGEST_DEV: `http://127.0.0.1:${execPort}`,
    INNGEST_LOCAL_APP_URL: `http://127.0.0.1:${appPort}/api/inngest`,
    INNGEST_LOCAL_PORT: String(execPort),
    PORT: String(appPort),
  };
  // No model keys, no billing, no outside services: offline and loopback only.
  for (const k of ["OPENAI_API_KEY", "ANTHROPIC_API_KEY", "STRIPE_SECRET_KEY", "INNGEST_SIGNING_KEY", "INNGEST_EVENT_KEY", "INNGEST_BASE_URL", "OTEL_EXPORTER_OTLP_ENDPOINT"]) delete env[k];
  return env;
}

const startApp = () => (app = spawnChild("app", "scripts/soak-app.ts", childEnv()));
const startExecutor = () => (executor = spawnChild("executor", "scripts/soak-executor.ts", childEnv()));

/** Waits until the current app (or executor) is ready, following restarts of one that failed to start. */
async function waitUp(name: "app" | "executor"): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const c = name === "app" ? app : executor;
    try {
      await c?.ready;
      return;
    } catch {
      await sleep(600); // it exited before it was ready (e.g. the database was still starting); its successor is on the way
    }
  }
  throw new Error(`${name} never came back`);
}

async function killChild(c: Child | undefined): Promise<void> {
  if (!c || c.proc.exitCode !== null || c.proc.signalCode !== null) return;
  c.killedByUs = true;
  c.proc.kill("SIGKILL");
  await c.exited;
}

async function stopChild(c: Child | undefined): Promise<void> {
  if (!c || c.proc.exitCode !== null || c.proc.signalCode !== null) return;
  c.killedByUs = true;
  c.proc.kill("SIGTERM");
  const t = setTimeout(() => c.proc.kill("SIGKILL"), 8_000);
  await c.exited;
  clearTimeout(t);
}

// ── HTTP client ─────────────────────────────────────────────────────────────────────────────────
let cookie = "";
const appUrl = () => `http://127.0.0.1:${appPort}`;
type Answer<T> = { status: number; body: T };
/** One request; status 0 = no answer (connection refused/reset: the app is down or was killed mid-request). */
async function api<T = Record<string, unknown>>(method: string, pathname: string, body?: unknown, timeoutMs = 30_000): Promise<Answer<T>> {
  try {
    const res = await fetch(`${appUrl()}${pathname}`, {
      method,
      headers: { origin: appUrl(), cookie, ...(body !== undefined ? { "content-type": "application/json" } : {}) },
      body: body !== undefined ? JSON.stringify(body) : undefined,
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.text();
    let parsed: unknown = null;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      parsed = { raw: text.slice(0, 200) };
    }
    return { status: res.status, body: parsed as T };
  } catch {
    return { status: 0, body: null as T };
  }
}

// ── Scripts ─────────────────────────────────────────────────────────────────────────────────────
type Kind = "code" | "approve" | "reject" | "cancel" | "retry";
const MIX: [Kind, number][] = [
  ["code", 0.4],
  ["approve", 0.15],
  ["reject", 0.1],
  ["cancel", 0.2],
  ["retry", 0.15],
];
type Script = {
  i: number;
  kind: Kind;
  ref: string;
  taskId: string | null;
  expected: string | null;
  final: string | null;
  error: string | null;
  notes: string[];
  startedAt: number;
  endedAt: number | null;
};
const TITLE = "Add a DELETE /todos/:id endpoint";
let defaultRepoId = "";
let humanSquadId = "";
let pristineRepo = "";
const scripts: Script[] = [];
const byTaskId = new Map<string, Script>();
const apiFailures = { noAnswer: 0, server5xx: 0 };

function note(s: Script, m: string) {
  s.notes.push(`+${((Date.now() - t0) / 1000).toFixed(1)}s ${m}`);
}

/** Finds the task a create request made when its answer was lost (the ref is in the description). */
async function taskIdByRef(sql: postgres.Sql, ref: string): Promise<string | null> {
  for (let i = 0; i < 50; i++) {
    try {
      const [row] = await sql<{ id: string }[]>`select id from tasks where description like ${`%${ref}%`} and parent_task_id is null limit 1`;
      return row?.id ?? null;
    } catch {
      await sleep(300); // the database may be restarting
    }
  }
  return null;
}

/**
 * POST /api/v1/tasks until the task exists and was dispatched: a lost answer is looked up by ref; a
 * 503 (saved, but the executor was down, so the task was stored `failed`) is retried with POST retry.
 */
async function createTask(sql: postgres.Sql, s: Script, input: Record<string, unknown>): Promise<string> {
  for (let attempt = 0; ; attempt++) {
    if (Date.now() > s.startedAt + TASK_TIMEOUT_MS) throw new Error("could not create the task in time");
    const res = await api<{ id?: string; error?: { code: string; message: string } }>("POST", "/api/v1/tasks", {
      title: TITLE,
      description: `Return 204, or 404 if missing. soak-ref: ${s.ref}`,
      ...input,
    });
    if (res.status === 201 && res.body.id) return res.body.id;
    if (res.status === 0 || res.status >= 500) {
      if (res.status === 0) apiFailures.noAnswer++;
      else apiFailures.server5xx++;
      const id = await taskIdByRef(sql, s.ref);
      if (id) {
        note(s, `create answered ${res.status || "nothing"}; the task exists (${id})`);
        await retryUntilDispatched(s, id, ["failed"]);
        return id;
      }
      note(s, `create answered ${res.status || "nothing"}; no task saved, sending again`);
      await sleep(300 + attempt * 200);
      continue;
    }
    throw new Error(`POST /api/v1/tasks → ${res.status} ${JSON.stringify(res.body)}`);
  }
}

/**
 * Makes sure a task that ended `failed` only because its dispatch or retry found the executor down
 * runs: POST retry until it answers 200 (or the task is no longer failed/cancelled).
 */
async function retryUntilDispatched(s: Script, taskId: string, from: string[]): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    if (Date.now() > s.startedAt + TASK_TIMEOUT_MS) throw new Error("could not retry the task in time");
    const cur = await api<{ status: string }>("GET", `/api/v1/tasks/${taskId}`);
    if (cur.status === 200 && !from.includes(cur.body.status)) return;
    if (cur.status !== 200) {
      await sleep(300);
      continue;
    }
    const res = await api<{ error?: { message: string } }>("POST", `/api/v1/tasks/${taskId}/retry`);
    note(s, `retry → ${res.status || "no answer"}`);
    if (res.status === 200) return;
    if (res.status === 0) apiFailures.noAnswer++;
    else if (res.status >= 500) apiFailures.server5xx++;
    await sleep(300 + Math.min(attempt, 10) * 200);
  }
}

async function waitTerminal(s: Script, taskId: string): Promise<{ status: string; error: string | null }> {
  for (;;) {
    const res = await api<{ status: string; error: string | null }>("GET", `/api/v1/tasks/${taskId}`);
    if (res.status === 200 && ["completed", "failed", "cancelled"].includes(res.body.status)) return res.body;
    if (res.status === 0) apiFailures.noAnswer++;
    else if (res.status >= 500) apiFailures.server5xx++;
    if (Date.now() > s.startedAt + TASK_TIMEOUT_MS || Date.now() > deadline) {
      return { status: res.status === 200 ? res.body.status : "unknown", error: "timed out waiting for the end state" };
    }
    await sleep(250);
  }
}

async function runScript(sql: postgres.Sql, s: Script): Promise<void> {
  s.startedAt = Date.now();
  try {
    if (s.kind === "code" || s.kind === "cancel") {
      const id = await createTask(sql, s, {});
      register(s, id);
      if (s.kind === "code") {
        s.expected = "completed";
      } else {
        await sleep(200 + rand() * 4_000);
        for (;;) {
          const res = await api<{ status?: string; error?: { code: string; message: string } }>("POST", `/api/v1/tasks/${id}/cancel`, { reason: "soak" });
          note(s, `cancel → ${res.status || "no answer"}`);
          if (res.status === 200) {
            s.expected = "cancelled";
            break;
          }
          if (res.status === 409) {
            // Already completed or failed: that is the state the client was told.
            const m = /already (completed|failed)/.exec(res.body.error?.message ?? "");
            s.expected = m?.[1] ?? "completed";
            break;
          }
          if (Date.now() > s.startedAt + TASK_TIMEOUT_MS) throw new Error("cancel never answered");
          await sleep(400);
        }
      }
    } else if (s.kind === "approve" || s.kind === "reject") {
      const id = await createTask(sql, s, { squadId: humanSquadId });
      register(s, id);
      s.expected = s.kind === "approve" ? "completed" : "cancelled";
    } else {
      // retry: a repository whose folder is removed before the task runs → failed at prepare-workspace.
      const folder = path.join(dataDir, "repos", `broken-${s.i}`);
      cpSync(pristineRepo, folder, { recursive: true });
      let repoId = "";
      for (;;) {
        const res = await api<{ id?: string }>("POST", "/api/v1/repositories", { name: `broken-${s.i}`, localPath: folder, testCommand: "npm test" });
        if (res.status === 201 && res.body.id) {
          repoId = res.body.id;
          break;
        }
        if (res.status === 0 || res.status >= 500) {
          const [row] = await sql<{ id: string }[]>`select id from repositories where name = ${`broken-${s.i}`} limit 1`.catch(() => []);
          if (row) {
            repoId = row.id;
            break;
          }
          await sleep(400);
          continue;
        }
        throw new Error(`POST /api/v1/repositories → ${res.status} ${JSON.stringify(res.body)}`);
      }
      rmSync(folder, { recursive: true, force: true });
      const id = await createTask(sql, s, { repositoryId: repoId });
      register(s, id);
      const first = await waitTerminal(s, id);
      note(s, `first run ended ${first.status}: ${first.error ?? ""}`);
      if (first.status !== "failed") {
        s.expected = "failed";
        s.final = first.status;
        s.error = `expected the first run to fail on the missing folder, it ended ${first.status}`;
        return;
      }
      cpSync(pristineRepo, folder, { recursive: true });
      await retryUntilDispatched(s, id, ["failed"]);
      s.expected = "completed";
    }
    const end = await waitTerminal(s, s.taskId ?? "");
    s.final = end.status;
    if (end.status !== s.expected) s.error = end.error;
  } catch (err) {
    s.error = err instanceof Error ? err.message : String(err);
  } finally {
    s.endedAt = Date.now();
  }
}

function register(s: Script, id: string) {
  s.taskId = id;
  byTaskId.set(id, s);
  observer.track(id);
  if (sseStarted < SSE_CLIENTS) {
    sseStarted++;
    void sseClient(id);
  }
}

/** Decides the human_required squad's approvals: approve for `approve` scripts, reject for `reject`. */
async function approver(stop: () => boolean): Promise<void> {
  while (!stop()) {
    const res = await api<{ id: string; taskId: string; kind: string }[]>("GET", "/api/v1/approvals?status=pending&limit=200");
    if (res.status === 200 && Array.isArray(res.body)) {
      for (const a of res.body) {
        const s = byTaskId.get(a.taskId);
        if (!s || (s.kind !== "approve" && s.kind !== "reject")) continue;
        const decision = s.kind === "approve" ? "approve" : "reject";
        const d = await api("POST", `/api/v1/approvals/${a.id}/decision`, { decision, comment: decision === "reject" ? "soak: rejected" : undefined });
        note(s, `${decision} ${a.kind} approval → ${d.status || "no answer"}`);
      }
    }
    await sleep(250);
  }
}

// ── Event observers ─────────────────────────────────────────────────────────────────────────────
/**
 * What a client following a task's timeline sees. Two kinds: a database poller that reads each
 * task's events after its own cursor (`id > cursor`, what the SSE route does on every wake-up) for
 * every task, and real SSE clients on `GET /api/v1/tasks/{id}/events` that reconnect with
 * `Last-Event-ID` across app kills. An event never seen by a client although a later one was is a
 * gap the client missed (an event committed after a higher id had already been read).
 */
const observer = {
  cursors: new Map<string, number>(),
  seen: new Map<string, Set<number>>(),
  /** Ids that arrived below a cursor (only the poller can notice, by re-reading everything at the end). */
  track(taskId: string) {
    if (!this.cursors.has(taskId)) {
      this.cursors.set(taskId, 0);
      this.seen.set(taskId, new Set());
    }
  },
};
const sseSeen = new Map<string, { ids: number[]; reconnects: number; nonIncreasing: number }>();
let sseStarted = 0;
let sseStop = false;

async function poller(sql: postgres.Sql, stop: () => boolean): Promise<void> {
  while (!stop()) {
    const ids = [...observer.cursors.keys()];
    if (ids.length > 0) {
      try {
        const cursors = ids.map((id) => observer.cursors.get(id) ?? 0);
        const rows = await sql<{ task_id: string; id: string }[]>`
          select e.task_id, e.id from task_events e
          join unnest(${sql.array(ids)}::uuid[], ${sql.array(cursors)}::bigint[]) as c(task_id, cursor)
            on e.task_id = c.task_id and e.id > c.cursor
          order by e.id`;
        for (const r of rows) {
          const id = Number(r.id);
          observer.seen.get(r.task_id)?.add(id);
          if (id > (observer.cursors.get(r.task_id) ?? 0)) observer.cursors.set(r.task_id, id);
        }
      } catch {
        // the database is restarting
      }
    }
    await sleep(100);
  }
}

async function sseClient(taskId: string): Promise<void> {
  const state = { ids: [] as number[], reconnects: 0, nonIncreasing: 0 };
  sseSeen.set(taskId, state);
  let last = 0;
  while (!sseStop) {
    try {
      const res = await fetch(`${appUrl()}/api/v1/tasks/${taskId}/events`, {
        headers: { cookie, origin: appUrl(), ...(last > 0 ? { "last-event-id": String(last) } : {}) },
      });
      if (res.ok && res.body) {
        if (last > 0) state.reconnects++;
        const reader = res.body.getReader();
        const decoder = new TextDecoder();
        let buffer = "";
        const stopTimer = setInterval(() => {
          if (sseStop) void reader.cancel().catch(() => {});
        }, 200);
        try {
          for (;;) {
            const { value, done } = await reader.read();
            if (done) break;
            buffer += decoder.decode(value, { stream: true });
            let at: number;
            while ((at = buffer.indexOf("\n\n")) >= 0) {
              const frame = buffer.slice(0, at);
              buffer = buffer.slice(at + 2);
              const idLine = frame.split("\n").find((l) => l.startsWith("id: "));
              if (!idLine) continue;
              const id = Number(idLine.slice(4));
              if (id <= last) state.nonIncreasing++;
              state.ids.push(id);
              last = Math.max(last, id);
            }
          }
        } finally {
          clearInterval(stopTimer);
        }
      }
    } catch {
      // the app died mid-stream, or is down
    }
    if (sseStop) break;
    await sleep(300);
  }
}

// ── Chaos driver ────────────────────────────────────────────────────────────────────────────────
type Chaos = { at: number; what: "app" | "executor" | "both" | "database"; downMs: number; apiMs: number | null; stepMs: number | null; queueAt15s?: string[] };
const chaos: Chaos[] = [];

/** ms from `since` until the first step completes after it (null = none within 120 s, e.g. nothing was running). */
async function firstStepAfter(sql: postgres.Sql, since: number, slow: string[]): Promise<number | null> {
  const until = Date.now() + 120_000;
  let snapshot = false;
  while (Date.now() < until) {
    if (!snapshot && Date.now() - since > 15_000) {
      // Slow recovery: what the executor has due, to say why.
      snapshot = true;
      const rows = await sql<{ line: string }[]>`
        select concat_ws(' ', r.function_id, r.status, q.kind, 'attempt', q.attempt,
          'due_in', round(extract(epoch from q.due_at - now())::numeric, 1),
          'lease_in', round(extract(epoch from q.lease_until - now())::numeric, 1)) as line
        from inngest_local.queue q join inngest_local.runs r on r.id = q.run_id order by q.due_at limit 15`.catch((e: unknown) => [{ line: `(queue unreadable: ${String(e)})` }]);
      slow.push(...(rows.length ? rows.map((r) => r.line) : ["(queue empty)"]), ...(executor?.output.slice(-8).map((l) => `executor: ${l.slice(0, 300)}`) ?? []));
    }
    try {
      const [row] = await sql<{ at: Date | null }[]>`
        select min(ended_at) as at from inngest_local.steps where ended_at > ${new Date(since)} and status = 'completed'`;
      if (row?.at) return row.at.getTime() - since;
    } catch {
      // database down
    }
    await sleep(100);
  }
  return null;
}

/** ms from `since` until the API answers an authenticated request that reads the database. */
async function firstAnswerAfter(since: number): Promise<number | null> {
  const until = Date.now() + 120_000;
  while (Date.now() < until) {
    const res = await api("GET", "/api/v1/tasks?limit=1", undefined, 5_000);
    if (res.status === 200) return Date.now() - since;
    await sleep(50);
  }
  return null;
}

async function chaosEvent(sql: postgres.Sql, what: Chaos["what"]): Promise<void> {
  const at = Date.now();
  let downMs = 0;
  if (what === "database") {
    if (!db) return;
    log(`database: ${db.private ? "crash (pg_ctl -m immediate stop) and start" : "FALLBACK: terminating the soak database's backends"}`);
    downMs = await db.restart();
  } else {
    const targets = what === "both" ? [app, executor] : what === "app" ? [app] : [executor];
    log(`SIGKILL ${what} (pid ${targets.map((c) => c?.proc.pid).join(", ")})`);
    await Promise.all(targets.map(killChild));
    // Back after a short random pause, on the same ports.
    await sleep(rand() * 500);
    if (what !== "executor") startApp();
    if (what !== "app") startExecutor();
    await Promise.all([waitUp("app"), waitUp("executor")]);
    downMs = Date.now() - at;
  }
  const slow: string[] = [];
  const [apiMs, stepMs] = await Promise.all([firstAnswerAfter(at), firstStepAfter(sql, at, slow)]);
  chaos.push({ at: at - t0, what, downMs, apiMs, stepMs, ...(slow.length ? { queueAt15s: slow } : {}) });
  if (slow.length) log(`  slow recovery; executor queue 15 s after:\n    ${slow.join("\n    ")}`);
  log(`  recovered: processes/database back in ${downMs} ms, API answer after ${apiMs ?? "—"} ms, first step after ${stepMs ?? "— (no step due)"} ms`);
}

async function chaosDriver(sql: postgres.Sql, done: () => boolean, onLast: () => void): Promise<void> {
  const plan: Chaos["what"][] = [];
  for (let i = 0; i < KILLS; i++) plan.push(pick(["app", "executor", "both"] as const));
  // Database restarts spread over the plan (not first, not adjacent).
  for (let i = 0; i < DB_RESTARTS; i++) plan.splice(Math.floor(((i + 1) * (plan.length + 1)) / (DB_RESTARTS + 1)), 0, "database");
  await sleep(3_000 + rand() * 2_000);
  for (let i = 0; i < plan.length; i++) {
    if (done() || Date.now() > deadline) break;
    // The held-back scripts start with the last event, so its recovery has work to measure.
    if (i === plan.length - 1) onLast();
    await chaosEvent(sql, plan[i] ?? "app");
    // Spread what is left over the work that is left: finished scripts so far give the pace.
    const finished = scripts.filter((s) => s.endedAt !== null).length;
    const elapsed = Date.now() - t0;
    const remainingMs = finished > 0 ? ((TASKS - finished) * elapsed) / finished : TASKS * 1_500;
    const gap = Math.min(30_000, Math.max(1_000, (remainingMs * 0.5) / (plan.length - i)));
    await sleep(gap * (0.5 + rand()));
  }
}

// ── Checks ──────────────────────────────────────────────────────────────────────────────────────
type Check = { name: string; ok: boolean; detail: string };

function percentile(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? null;
}

async function waitSettled(sql: postgres.Sql): Promise<void> {
  const until = Date.now() + 60_000;
  while (Date.now() < until) {
    const [row] = await sql<{ n: number }[]>`select count(*)::int as n from inngest_local.runs where status in ('queued', 'running')`.catch(() => [{ n: 1 }]);
    if ((row?.n ?? 0) === 0) return;
    await sleep(250);
  }
}

async function runChecks(sql: postgres.Sql): Promise<{ checks: Check[]; figures: Record<string, unknown>; notes: string[] }> {
  const checks: Check[] = [];
  const notes: string[] = [];
  const add = (name: string, ok: boolean, detail: string) => checks.push({ name, ok, detail });

  // 1. End states.
  const ids = scripts.map((s) => s.taskId).filter((x): x is string => Boolean(x));
  const rows = ids.length
    ? await sql<{ id: string; status: string; error: string | null; attempt: number }[]>`
        select id, status, error, attempt from tasks where id = any(${sql.array(ids)}::uuid[])`
    : [];
  const dbState = new Map(rows.map((r) => [r.id, r]));
  const wrong: string[] = [];
  for (const s of scripts) {
    const actual = s.taskId ? dbState.get(s.taskId)?.status ?? "missing" : "never created";
    if (!s.expected || actual !== s.expected || s.error) {
      wrong.push(`#${s.i} ${s.kind} task ${s.taskId ?? "-"}: expected ${s.expected ?? "?"}, is ${actual}${s.error ? ` (${s.error})` : ""}${s.taskId && dbState.get(s.taskId)?.error ? ` — task error: ${dbState.get(s.taskId)?.error}` : ""}; ${s.notes.slice(-4).join("; ")}`);
    }
  }
  const byKind = Object.fromEntries(MIX.map(([k]) => [k, scripts.filter((s) => s.kind === k).length]));
  add("every task ended in the state its script implies", wrong.length === 0, wrong.length === 0 ? `${scripts.length} tasks (${JSON.stringify(byKind)})` : wrong.slice(0, 20).join("\n      "));
  const extra = await sql<{ n: number }[]>`select count(*)::int as n from tasks where parent_task_id is null and not (id = any(${sql.array(ids.length ? ids : ["00000000-0000-0000-0000-000000000000"])}::uuid[]))`;
  add("no task the clients do not know of (a lost create answer made none twice)", (extra[0]?.n ?? 0) === 0, `${extra[0]?.n ?? 0} unknown task(s)`);

  // 2. Ledger: one llm_calls row per (run, step); each stored model step recorded once.
  const dupCalls = await sql<{ run_id: string; step_id: string; n: number }[]>`
    select run_id, step_id, count(*)::int as n from llm_calls group by run_id, step_id having count(*) > 1`;
  const [calls] = await sql<{ n: number }[]>`select count(*)::int as n from llm_calls`;
  const unrecorded = await sql<{ run_id: string; name: string }[]>`
    select s.run_id, s.display_name as name from inngest_local.steps s
    where s.display_name ~ '/model-[0-9]+$' and s.result ? 'data'
      and not exists (select 1 from llm_calls c where c.run_id = s.run_id and c.step_id = s.display_name)`;
  const orphanCalls = await sql<{ n: number }[]>`
    select count(*)::int as n from llm_calls c
    where not exists (select 1 from inngest_local.steps s where s.run_id = c.run_id and s.display_name = c.step_id and s.result ? 'data')`;
  const [rerun] = await sql<{ n: number }[]>`
    select count(*)::int as n from inngest_local.steps where display_name ~ '/model-[0-9]+$' and attempts > 1`;
  add(
    "0 duplicate ledger rows (llm_calls unique per run id + step id)",
    dupCalls.length === 0 && unrecorded.length === 0,
    `${calls?.n ?? 0} model calls recorded, ${dupCalls.length} duplicated, ${unrecorded.length} stored model step(s) without a ledger row${unrecorded.length ? ` (${unrecorded.slice(0, 3).map((u) => `${u.run_id} ${u.name}`).join(", ")})` : ""}; ${orphanCalls[0]?.n ?? 0} recorded call(s) whose step result was never stored (answered, then the run was cancelled or the answer lost); ${rerun?.n ?? 0} model step(s) attempted more than once`,
  );
  const meterTable = await sql<{ t: string | null }[]>`select to_regclass('public.billing_meter_reports')::text as t`;
  if (meterTable[0]?.t) {
    const dupMeter = await sql<{ n: number }[]>`select count(*)::int as n from (select identifier from billing_meter_reports group by identifier having count(*) > 1) d`;
    const [meter] = await sql<{ n: number }[]>`select count(*)::int as n from billing_meter_reports`;
    add("0 duplicate billing meter reports", (dupMeter[0]?.n ?? 0) === 0, `${meter?.n ?? 0} report(s) (billing is off without Stripe keys), ${dupMeter[0]?.n ?? 0} duplicated`);
  }
  const dupArtifacts = await sql<{ task_id: string; kind: string; n: number; keys: string }[]>`
    select task_id, kind, count(*)::int as n, string_agg(coalesce(dedupe_key, '-'), ', ') as keys
    from artifacts group by task_id, kind having count(*) > 1`;
  const dupEvents = await sql<{ n: number }[]>`
    select count(*)::int as n from (select dedupe_key from task_events where dedupe_key is not null group by dedupe_key having count(*) > 1) d`;
  const dupCompletions = await sql<{ task_id: string; n: number }[]>`
    select task_id, count(*)::int as n from task_events where type = 'status' and data->>'status' = 'completed' group by task_id having count(*) > 1`;
  add(
    "no duplicated effect (artifacts per task and kind, keyed timeline entries, completions)",
    dupArtifacts.length === 0 && (dupEvents[0]?.n ?? 0) === 0 && dupCompletions.length === 0,
    `${dupArtifacts.length} duplicated artifact kind(s)${dupArtifacts.length ? ` (${dupArtifacts.slice(0, 5).map((a) => `task ${a.task_id} ${a.kind} ×${a.n}: ${a.keys}`).join("; ")})` : ""}, ${dupEvents[0]?.n ?? 0} duplicated dedupe key(s), ${dupCompletions.length} task(s) completed twice${dupCompletions.length ? ` (${dupCompletions.slice(0, 3).map((d) => d.task_id).join(", ")})` : ""}`,
  );

  // 3. Event ids: what the observers saw against what is stored.
  let events = 0;
  let pollerMissed = 0;
  const missedDetail: string[] = [];
  let sseMissed = 0;
  let sseNonIncreasing = 0;
  let sseReconnects = 0;
  const stored = ids.length
    ? await sql<{ task_id: string; id: string }[]>`select task_id, id from task_events where task_id = any(${sql.array(ids)}::uuid[]) order by task_id, id`
    : [];
  const storedBy = new Map<string, number[]>();
  for (const r of stored) storedBy.set(r.task_id, [...(storedBy.get(r.task_id) ?? []), Number(r.id)]);
  for (const [taskId, list] of storedBy) {
    events += list.length;
    const seen = observer.seen.get(taskId) ?? new Set<number>();
    const cursor = observer.cursors.get(taskId) ?? 0;
    const missed = list.filter((id) => id < cursor && !seen.has(id));
    pollerMissed += missed.length;
    if (missed.length) missedDetail.push(`task ${taskId}: event(s) ${missed.join(", ")} committed after a client had read past them (cursor ${cursor})`);
    const sse = sseSeen.get(taskId);
    if (sse) {
      const got = new Set(sse.ids);
      const lastSse = Math.max(0, ...sse.ids);
      const miss = list.filter((id) => id <= lastSse && !got.has(id));
      sseMissed += miss.length;
      if (miss.length) missedDetail.push(`SSE task ${taskId}: missed ${miss.join(", ")}`);
      const notDelivered = list.filter((id) => id > lastSse).length;
      if (notDelivered) missedDetail.push(`SSE task ${taskId}: ${notDelivered} event(s) after the last delivered one never arrived`);
      sseMissed += notDelivered;
      sseNonIncreasing += sse.nonIncreasing;
      sseReconnects += sse.reconnects;
    }
  }
  add(
    "task event ids strictly increasing per task, no gap a client could miss across a reconnect",
    pollerMissed === 0 && sseMissed === 0 && sseNonIncreasing === 0,
    `${events} events of ${storedBy.size} tasks; cursor reader (every task) missed ${pollerMissed}; ${sseSeen.size} SSE clients (${sseReconnects} reconnects with Last-Event-ID) missed ${sseMissed}, ${sseNonIncreasing} id(s) not above the previous${missedDetail.length ? `\n      ${missedDetail.slice(0, 10).join("\n      ")}` : ""}`,
  );

  // 4. No stuck run.
  await waitSettled(sql);
  const stuck = await sql<{ run_id: string; kind: string; age_s: number; function_id: string; status: string }[]>`
    select q.run_id, q.kind, extract(epoch from now() - q.due_at)::int as age_s, r.function_id, r.status
    from inngest_local.queue q join inngest_local.runs r on r.id = q.run_id
    where q.due_at < now() - ${`${STUCK_BOUND_MS / 1000} seconds`}::interval`;
  const open = await sql<{ status: string; n: number }[]>`
    select status, count(*)::int as n from inngest_local.runs where status in ('queued', 'running', 'waiting') group by status`;
  add(
    `no stuck run (no due work older than ${STUCK_BOUND_MS / 1000} s after the end, no run left queued/running/waiting)`,
    stuck.length === 0 && open.length === 0,
    `${stuck.length} overdue queue item(s)${stuck.length ? ` (${stuck.slice(0, 5).map((q) => `${q.function_id} ${q.run_id} ${q.kind} ${q.age_s}s ${q.status}`).join(", ")})` : ""}; open runs: ${open.length ? open.map((o) => `${o.n} ${o.status}`).join(", ") : "none"}`,
  );

  // 5. Orphans: subtask worktrees of completed tasks (a clean merge removes them), worktrees of no task, sandboxes.
  const wtDir = path.join(dataDir, "worktrees");
  const entries = existsSync(wtDir) ? readdirSync(wtDir) : [];
  const allTasks = new Map((await sql<{ id: string; status: string }[]>`select id, status from tasks`).map((r) => [r.id, r.status]));
  const orphanWt: string[] = [];
  for (const e of entries) {
    const taskId = e.split("--")[0] ?? e;
    const status = allTasks.get(taskId);
    if (!status) orphanWt.push(`${e} (no such task)`);
    else if (e.includes("--") && status === "completed") orphanWt.push(`${e} (subtask worktree of a completed task)`);
  }
  let sandboxes: string[] = [];
  try {
    const { stdout } = await execFileP("pgrep", ["-af", "bwrap"]);
    sandboxes = stdout.split("\n").filter((l) => l.includes(dataDir));
  } catch {
    sandboxes = []; // pgrep exits 1 when nothing matches
  }
  add(
    "no orphan worktree or sandbox process",
    orphanWt.length === 0 && sandboxes.length === 0,
    `${entries.length} worktree folder(s) under DATA_DIR/worktrees (task worktrees stay for retries), ${orphanWt.length} orphan(s)${orphanWt.length ? `: ${orphanWt.slice(0, 5).join(", ")}` : ""}; ${sandboxes.length} bwrap process(es) of this soak alive`,
  );
  // Not a pass/fail check: the soak restarts a process that died by itself, as a process manager would;
  // the checks above say whether anything was lost. Listed so a crash is never silent (see RELIABILITY.md).
  notes.push(
    unexpectedExits.length === 0
      ? "no child process exited by itself (every exit was one of the soak's kills)"
      : `${unexpectedExits.length} child process exit(s) the soak did not cause (restarted like a process manager would):\n      ${unexpectedExits.join("\n      ")}`,
  );
  const kills = chaos.filter((c) => c.what !== "database");
  const dbr = chaos.filter((c) => c.what === "database");
  add(`chaos done (${KILLS} kills, ${DB_RESTARTS} database restarts asked)`, kills.length === KILLS && dbr.length === DB_RESTARTS, `${kills.length} kills (${["app", "executor", "both"].map((w) => `${chaos.filter((c) => c.what === w).length} ${w}`).join(", ")}), ${dbr.length} database restarts`);

  // Process kills only; database restarts are measured from the stop command and listed on their own.
  const apiMs = kills.map((c) => c.apiMs).filter((x): x is number => x !== null);
  const stepMs = kills.map((c) => c.stepMs).filter((x): x is number => x !== null);
  const lost = wrong.length;
  const figures = {
    seed: SEED,
    database: db?.label,
    tasks: scripts.length,
    byKind,
    kills: kills.length,
    killsByTarget: Object.fromEntries(["app", "executor", "both"].map((w) => [w, chaos.filter((c) => c.what === w).length])),
    dbRestarts: dbr.length,
    lost,
    duplicated: dupCalls.length + dupArtifacts.length + (dupEvents[0]?.n ?? 0) + dupCompletions.length,
    modelCalls: calls?.n ?? 0,
    modelStepsAttemptedTwice: rerun?.n ?? 0,
    events,
    eventGapsMissed: pollerMissed + sseMissed,
    stuck: stuck.length,
    orphans: orphanWt.length + sandboxes.length,
    apiFailuresSeenByClients: apiFailures,
    recoverApiMs: { p50: percentile(apiMs, 50), p95: percentile(apiMs, 95), max: percentile(apiMs, 100) },
    recoverStepMs: { p50: percentile(stepMs, 50), p95: percentile(stepMs, 95), max: percentile(stepMs, 100), measured: stepMs.length, of: kills.length },
    dbRestartRecovery: dbr.map((c) => ({ downMs: c.downMs, apiMs: c.apiMs, stepMs: c.stepMs })),
    unexpectedExits: unexpectedExits.length,
    wallSeconds: Math.round((Date.now() - t0) / 1000),
    chaos,
  };
  return { checks, figures, notes };
}

// ── Main ────────────────────────────────────────────────────────────────────────────────────────
async function cleanup(): Promise<void> {
  stopping = true;
  sseStop = true;
  await Promise.all([stopChild(app), stopChild(executor)]).catch(() => {});
  await db?.stop().catch((e: unknown) => console.error("[soak] database cleanup failed:", e));
  if (dataDir && !KEEP) rmSync(dataDir, { recursive: true, force: true });
  else if (dataDir) log(`kept DATA_DIR ${dataDir}`);
}
for (const sig of ["SIGINT", "SIGTERM"] as const) {
  process.on(sig, () => {
    log(`${sig}: cleaning up`);
    void cleanup().finally(() => process.exit(130));
  });
}

async function main(): Promise<number> {
  log(`seed ${SEED}: ${TASKS} tasks, ${KILLS} kills, ${DB_RESTARTS} database restarts, at most ${MINUTES} min, ${CONCURRENCY} scripts at once, offline model ${LATENCY_MS} ms/call`);
  db = await startSoakDatabase(log);
  dataDir = mkdtempSync(path.join(tmpdir(), "squadron-soak-data-"));
  appPort = await freePort();
  execPort = await freePort();
  startExecutor();
  startApp();
  await Promise.all([app?.ready, executor?.ready]);
  log(`app at ${appUrl()} (pid ${app?.proc.pid}), executor at http://127.0.0.1:${execPort} (pid ${executor?.proc.pid}), DATA_DIR ${dataDir}`);

  // A user (their organization and default squad on the example repository) and a human_required squad.
  const signUp = await fetch(`${appUrl()}/api/auth/sign-up/email`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: appUrl() },
    body: JSON.stringify({ name: "Soak", email: `soak-${Date.now()}@example.test`, password: "correct-horse-battery" }),
  });
  if (!signUp.ok) throw new Error(`sign-up failed: ${signUp.status} ${await signUp.text()}`);
  cookie = signUp.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
  const repos = await api<{ id: string; name: string; localPath: string | null }[] | { items: { id: string; name: string; localPath: string | null }[] }>("GET", "/api/v1/repositories");
  const repoList = Array.isArray(repos.body) ? repos.body : repos.body.items;
  const example = repoList.find((r) => r.localPath?.endsWith("todo-api")) ?? repoList[0];
  if (!example?.localPath) throw new Error(`no example repository: ${JSON.stringify(repos.body)}`);
  defaultRepoId = example.id;
  pristineRepo = path.join(dataDir, "pristine-todo-api");
  cpSync(example.localPath, pristineRepo, { recursive: true });
  const squad = await api<{ id: string }>("POST", "/api/v1/squads", { name: "Soak approvals", repositoryId: defaultRepoId, autonomy: "human_required" });
  if (squad.status !== 201) throw new Error(`POST /api/v1/squads → ${squad.status} ${JSON.stringify(squad.body)}`);
  humanSquadId = squad.body.id;
  for (let i = 0; ; i++) {
    const health = (await fetch(`http://127.0.0.1:${execPort}/health`).then((r) => r.json(), () => null)) as { sync?: { state: string } } | null;
    if (health?.sync?.state === "ok") break;
    if (i > 600) throw new Error("the executor never synced the app");
    await sleep(100);
  }

  // The mix, shuffled.
  const kinds: Kind[] = [];
  for (const [k, share] of MIX) for (let i = 0; i < Math.round(TASKS * share); i++) kinds.push(k);
  while (kinds.length < TASKS) kinds.push("code");
  kinds.length = TASKS;
  for (let i = kinds.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [kinds[i], kinds[j]] = [kinds[j] as Kind, kinds[i] as Kind];
  }
  for (let i = 0; i < TASKS; i++) {
    scripts.push({ i, kind: kinds[i] ?? "code", ref: `${SEED}-${i}-${Math.random().toString(36).slice(2, 8)}`, taskId: null, expected: null, final: null, error: null, notes: [], startedAt: 0, endedAt: null });
  }

  const sql = postgres(db.url, { max: 3, prepare: false, onnotice: () => {}, idle_timeout: 5, connect_timeout: 5 });
  let allDone = false;
  const background = [poller(sql, () => allDone), approver(() => allDone)];
  let chaosDone = false;
  const driver = chaosDriver(
    sql,
    () => allDone,
    () => {
      chaosDone = true;
    },
  ).finally(() => {
    chaosDone = true;
  });
  // The last scripts wait for the chaos to be over, so every kill lands while work is in flight.
  const holdBack = Math.min(CONCURRENCY, Math.floor(TASKS / 4));
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(CONCURRENCY, TASKS) }, async () => {
      while (next < scripts.length && Date.now() < deadline) {
        while (!chaosDone && next >= scripts.length - holdBack && Date.now() < deadline) await sleep(250);
        const s = scripts[next++];
        if (!s) break;
        await runScript(sql, s);
        const done = scripts.filter((x) => x.endedAt !== null).length;
        if (done % 10 === 0) log(`${done}/${TASKS} scripts done`);
      }
    }),
  );
  allDone = true;
  log("all scripts done; waiting for the chaos driver");
  await driver;
  await sleep(1_500);
  sseStop = true;
  await Promise.all(background);

  log("checking");
  const { checks, figures, notes } = await runChecks(sql);
  await sql.end({ timeout: 2 });

  console.log("\n══ Soak results ═══════════════════════════════════════════════════════════════");
  console.log(`database: ${db.label}`);
  for (const c of checks) console.log(`${c.ok ? "PASS" : "FAIL"}  ${c.name}\n      ${c.detail}`);
  for (const n of notes) console.log(`NOTE  ${n}`);
  const r = figures.recoverApiMs as { p50: number | null; p95: number | null };
  const st = figures.recoverStepMs as { p50: number | null; p95: number | null; measured: number; of: number };
  console.log(`time to recover after a kill: API answer p50 ${r.p50} ms, p95 ${r.p95} ms; first completed step p50 ${st.p50} ms, p95 ${st.p95} ms (${st.measured}/${st.of} kills measured)`);
  console.log(`database restarts: ${JSON.stringify(figures.dbRestartRecovery)}`);
  console.log(`figures: ${JSON.stringify({ ...figures, chaos: undefined })}`);
  if (JSON_OUT) writeFileSync(JSON_OUT, JSON.stringify({ ok: checks.every((c) => c.ok), checks, notes, figures, unexpectedExits, exitLogs, scripts }, null, 2));
  const failed = checks.filter((c) => !c.ok);
  console.log(failed.length === 0 ? "\nSOAK PASSED" : `\nSOAK FAILED: ${failed.length} check(s)`);
  return failed.length === 0 ? 0 : 1;
}

let code = 1;
try {
  code = await main();
} catch (err) {
  console.error("[soak] failed:", err);
  for (const c of [app, executor]) if (c) console.error(`--- last ${c.name} output ---\n${c.output.slice(-30).join("\n")}`);
  code = 1;
} finally {
  await cleanup();
}
process.exit(code);
