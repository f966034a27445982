/**
 * Crash safety of the product's task workflow under the embedded default: the app and the local
 * Inngest executor run as a child process (`tests/fixtures/crash-stack.ts`), a task is started, and
 * the process is killed with SIGKILL in the middle of the run (with 300 ms of simulated latency per
 * model call, so there is a "middle"). A new process on the same database finishes the run, and:
 *
 * - no step whose result was stored before the kill runs again (the app's answers are tapped to a file
 *   before they leave the process: a second `StepRun` for a stored step would be a repeated body);
 * - each model call that completed is in `llm_calls` once, and there is one row per model step;
 * - each artifact kind exists once, the task completes once.
 *
 * On PGlite the embedded database (`tests/fixtures/crash-db.ts`, persisted to a temp folder) is killed
 * too, like a power cut under `npm start`, and reopened on the same folder. On the PostgreSQL server at
 * TEST_DATABASE_URL (a database created for the test) only the app process is killed.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import postgres from "postgres";
import { createTestDatabase } from "../fixtures/database";

type Ready = { appUrl: string; executorUrl: string; pid: number };
type TapLine = { pid: number; at: number; runId: string; op: string; hash: string | null; name: string | null };
type Child = { proc: ChildProcess; output: string[]; ready: Promise<string>; exited: Promise<void> };

const ROOT = process.cwd();
const WORKFLOW = "squadron-task-workflow";

/** Starts `node --import tsx <script>` (so the PID is the script's own) and waits for its READY line. */
function spawnScript(script: string, args: string[], env: NodeJS.ProcessEnv): Child {
  const proc = spawn(process.execPath, ["--import", "tsx", script, ...args], {
    cwd: ROOT,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const output: string[] = [];
  let settle: (line: string) => void = () => {};
  let fail: (err: Error) => void = () => {};
  const ready = new Promise<string>((resolve, reject) => {
    settle = resolve;
    fail = reject;
  });
  const onData = (chunk: Buffer) => {
    for (const line of chunk.toString("utf8").split("\n")) {
      if (!line) continue;
      output.push(line);
      if (output.length > 400) output.shift();
      if (line.startsWith("READY ")) settle(line.slice(6));
    }
  };
  proc.stdout?.on("data", onData);
  proc.stderr?.on("data", onData);
  const exited = new Promise<void>((resolve) => {
    proc.once("exit", (code, signal) => {
      fail(new Error(`${script} exited (${signal ?? code}) before it was ready:\n${output.slice(-40).join("\n")}`));
      resolve();
    });
  });
  return { proc, output, ready, exited };
}

async function withTimeout<T>(what: string, promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
      }),
    ]);
  } finally {
    if (timer) clearTimeout(timer);
  }
}

async function kill(child: Child | undefined, signal: NodeJS.Signals): Promise<void> {
  if (!child || child.proc.exitCode !== null || child.proc.signalCode !== null) return;
  child.proc.kill(signal);
  await withTimeout(`${signal} to pid ${child.proc.pid}`, child.exited, 10_000);
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

async function until<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs: number, intervalMs = 25): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last instanceof Error ? ` (${last.message})` : ""}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

const backends: { name: string; killDatabase: boolean }[] = [
  { name: "pglite", killDatabase: true },
  ...(process.env.TEST_DATABASE_URL ? [{ name: "postgres", killDatabase: false }] : []),
];

describe.each(backends)("crash safety of the task workflow ($name)", ({ name, killDatabase }) => {
  const dir = mkdtempSync(path.join(tmpdir(), "squadron-crash-"));
  const tapFile = path.join(dir, "tap.jsonl");
  let database: { url: string; stop(): Promise<void> } | undefined;
  let db: Child | undefined;
  let stack: Child | undefined;
  let dbPort = 0;

  async function startDb(): Promise<string> {
    db = spawnScript("tests/fixtures/crash-db.ts", [path.join(dir, "pglite"), String(dbPort)], { ...process.env, NODE_OPTIONS: "" });
    return withTimeout("the embedded database to start", db.ready, 30_000);
  }

  async function startStack(databaseUrl: string): Promise<Ready> {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      NODE_OPTIONS: "",
      DATABASE_URL: databaseUrl,
      DATA_DIR: path.join(dir, "data"),
      CRASH_TAP_FILE: tapFile,
      CRASH_LEASE_MS: "2000",
      OFFLINE_MODEL_LATENCY_MS: "300",
    };
    delete env.INNGEST_DEV;
    stack = spawnScript("tests/fixtures/crash-stack.ts", [], env);
    return JSON.parse(await withTimeout("the app and executor to start", stack.ready, 40_000)) as Ready;
  }

  afterAll(async () => {
    await kill(stack, "SIGTERM").catch(() => kill(stack, "SIGKILL"));
    await kill(db, "SIGTERM").catch(() => kill(db, "SIGKILL"));
    await database?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it(
    `SIGKILL mid-run${killDatabase ? " (app, executor and embedded database)" : " (app and executor)"}: the run completes, no stored step runs again, nothing is paid twice`,
    async () => {
      const t0 = Date.now();
      const phase = (what: string) => {
        if (process.env.CRASH_DEBUG) console.log(`[crash ${name}] +${Date.now() - t0} ms ${what}`);
      };
      writeFileSync(tapFile, "");
      let databaseUrl: string;
      if (killDatabase) {
        dbPort = await freePort();
        databaseUrl = await startDb();
      } else {
        database = await createTestDatabase("postgres");
        databaseUrl = database.url;
      }
      phase("database up");
      const first = await startStack(databaseUrl);
      phase("app and executor up");

      // A user and a task, through the public API.
      const signUp = await fetch(`${first.appUrl}/api/auth/sign-up/email`, {
        method: "POST",
        headers: { "content-type": "application/json", origin: first.appUrl },
        body: JSON.stringify({ name: "Crash", email: `crash-${Date.now()}@example.test`, password: "correct-horse-battery" }),
      });
      expect(signUp.status).toBe(200);
      const cookie = signUp.headers
        .getSetCookie()
        .map((c) => c.split(";")[0])
        .join("; ");
      const created = await fetch(`${first.appUrl}/api/v1/tasks`, {
        method: "POST",
        headers: { "content-type": "application/json", origin: first.appUrl, cookie },
        body: JSON.stringify({ title: "Add a DELETE /todos/:id endpoint", description: "Return 204, or 404 if missing." }),
      });
      expect(created.status).toBe(201);
      const taskId = ((await created.json()) as { id: string }).id;

      // Kill once a few steps (a model call among them) are stored and the run is still going.
      const sql = postgres(databaseUrl, { max: 1, prepare: false, onnotice: () => {} });
      let progress: { run_id: string; status: string; done: number; model_done: number };
      try {
        progress = await until(
          "the run to store a model step",
          async () => {
            const [row] = await sql<{ run_id: string; status: string; done: number; model_done: number }[]>`
              SELECT r.id AS run_id, r.status,
                count(*) FILTER (WHERE s.result IS NOT NULL)::int AS done,
                count(*) FILTER (WHERE s.result IS NOT NULL AND s.display_name ~ '/model-[0-9]+$')::int AS model_done
              FROM inngest_local.runs r LEFT JOIN inngest_local.steps s ON s.run_id = r.id
              WHERE r.function_id = ${WORKFLOW}
              GROUP BY r.id, r.status`;
            return row && row.model_done >= 1 && row.done >= 5 ? row : undefined;
          },
          40_000,
          10,
        );
      } finally {
        await sql.end({ timeout: 1 });
      }
      phase(`killing with ${progress.done} step(s) stored`);
      expect(["running", "queued", "waiting"]).toContain(progress.status);
      await kill(stack, "SIGKILL");
      if (killDatabase) await kill(db, "SIGKILL");

      // What the dead executor had stored: none of these may run again.
      if (killDatabase) databaseUrl = await startDb();
      const check = postgres(databaseUrl, { max: 1, prepare: false, onnotice: () => {} });
      try {
        const storedBefore = new Set(
          (await check<{ hash: string }[]>`
            SELECT hash FROM inngest_local.steps WHERE run_id = ${progress.run_id} AND result IS NOT NULL`).map((r) => r.hash),
        );
        expect(storedBefore.size).toBeGreaterThanOrEqual(5);

        phase("database back");
        const second = await startStack(databaseUrl);
        phase("app and executor back");
        expect(second.pid).not.toBe(first.pid);
        const task = await until(
          "the task to finish after the restart",
          async () => {
            const res = await fetch(`${second.appUrl}/api/v1/tasks/${taskId}`, { headers: { cookie } });
            const body = (await res.json()) as { status: string; error: string | null };
            return ["completed", "failed", "cancelled"].includes(body.status) ? body : undefined;
          },
          45_000,
          100,
        );
        phase("task finished");
        expect(task).toMatchObject({ status: "completed", error: null });

        // The executor: one run, completed (its last step, the completion event, follows the task's status).
        const runs = await until(
          "the run to end",
          async () => {
            const rows = await check<{ id: string; status: string }[]>`
              SELECT id, status FROM inngest_local.runs WHERE function_id = ${WORKFLOW}`;
            return rows.every((r) => ["completed", "failed", "cancelled"].includes(r.status)) ? rows : undefined;
          },
          15_000,
          50,
        );
        expect(runs).toEqual([{ id: progress.run_id, status: "completed" }]);
        expect(stack?.output.some((l) => l.includes("NetworkError"))).toBe(false); // no call before the app synced

        // The app's answers: which step bodies ran, in which process.
        const tap = readFileSync(tapFile, "utf8")
          .split("\n")
          .filter(Boolean)
          .map((l) => JSON.parse(l) as TapLine)
          .filter((l) => l.runId === progress.run_id);
        const ran = tap.filter((l) => l.op === "StepRun");
        expect(ran.some((l) => l.pid === first.pid)).toBe(true);
        expect(ran.some((l) => l.pid === second.pid)).toBe(true);
        const byHash = new Map<string, TapLine[]>();
        for (const l of ran) byHash.set(l.hash ?? "", [...(byHash.get(l.hash ?? "") ?? []), l]);
        const repeatedStored = [...byHash.entries()].filter(([hash, lines]) => storedBefore.has(hash) && lines.length > 1);
        expect(repeatedStored.map(([, lines]) => lines)).toEqual([]);
        // A step may run twice only if its first answer died with the process (never stored).
        const lostAnswers = [...byHash.entries()].filter(([hash, lines]) => !storedBefore.has(hash) && lines.length > 1);
        expect(lostAnswers.length).toBeLessThanOrEqual(1);
        for (const [, lines] of lostAnswers) expect(lines.map((l) => l.pid)).toEqual([first.pid, second.pid]);

        // Every stored step result came from exactly one answer the executor used.
        const stored = await check<{ hash: string; name: string }[]>`
          SELECT hash, display_name AS name FROM inngest_local.steps WHERE run_id = ${progress.run_id} AND result ? 'data'`;
        expect(new Set(stored.map((s) => s.hash))).toEqual(new Set(byHash.keys()));

        // Model calls: one llm_calls row per model step, none twice.
        const modelSteps = stored.filter((s) => /\/model-\d+$/.test(s.name)).map((s) => s.name);
        const calls = await check<{ step_id: string; n: number }[]>`
          SELECT step_id, count(*)::int AS n FROM llm_calls WHERE run_id = ${progress.run_id} GROUP BY step_id`;
        expect(calls.filter((c) => c.n !== 1)).toEqual([]);
        expect(calls.map((c) => c.step_id).sort()).toEqual(modelSteps.sort());
        expect(modelSteps.length).toBeGreaterThanOrEqual(progress.model_done + 1);

        // Product side effects: each artifact once, one completion, no duplicate timeline entries.
        const artifacts = await check<{ kind: string; n: number }[]>`
          SELECT kind, count(*)::int AS n FROM artifacts WHERE task_id = ${taskId} GROUP BY kind ORDER BY kind`;
        expect(artifacts).toEqual([
          { kind: "patch", n: 1 },
          { kind: "plan", n: 1 },
          { kind: "review", n: 1 },
          { kind: "test_report", n: 1 },
        ]);
        const [completions] = await check<{ n: number }[]>`
          SELECT count(*)::int AS n FROM task_events
          WHERE task_id = ${taskId} AND type = 'status' AND data->>'status' = 'completed'`;
        expect(completions?.n).toBe(1);
        const duplicates = await check`
          SELECT dedupe_key FROM task_events WHERE task_id = ${taskId} AND dedupe_key IS NOT NULL
          GROUP BY dedupe_key HAVING count(*) > 1`;
        expect(duplicates).toHaveLength(0);
      } catch (err) {
        const log = stack?.output.slice(-40).join("\n") ?? "";
        throw new Error(`${err instanceof Error ? err.message : String(err)}\n--- ${name} stack output ---\n${log}`);
      } finally {
        await check.end({ timeout: 1 });
      }
    },
    110_000,
  );
});
