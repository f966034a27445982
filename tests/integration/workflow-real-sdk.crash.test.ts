/**
 * Crash safety through a real provider: the app and the local Inngest executor run as a child process
 * (`tests/fixtures/crash-stack.ts`) whose squad talks to OpenAI through the real `openai` client —
 * pointed at a routed transcript replayer running in this test process, so the "vendor" outlives the
 * kill and counts every request it is sent. The embedded database (PGlite, `tests/fixtures/crash-db.ts`)
 * is its own process and stays up.
 *
 * The whole task of tests/fixtures/transcripts/workflow-delete-endpoint.json runs (plan → two parallel
 * developers → QA → review). When QA's second model call reaches the vendor, the app is SIGKILLed with
 * that call in flight (the vendor never answers it). A new process on the same database finishes the
 * run, and:
 * - every call the vendor answered before the kill is never sent again (the model steps are stored);
 * - the call in flight at the kill is sent once more, and is in the ledger once;
 * - `llm_calls` holds one row per model step, each step once; vendor requests = ledger rows + 1.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import postgres from "postgres";
import { loadRoutedTranscript, startRoutedReplayer, type RoutedReplayer } from "../fixtures/vendors/replayer";
import { WORKFLOW_TRANSCRIPT } from "./workflow-real-sdk.suite";

type Ready = { appUrl: string; executorUrl: string; pid: number };
type Child = { proc: ChildProcess; output: string[]; ready: Promise<string>; exited: Promise<void> };

const ROOT = process.cwd();

/** Starts `node --import tsx <script>` (so the PID is the script's own) and waits for its READY line. */
function spawnScript(script: string, args: string[], env: NodeJS.ProcessEnv): Child {
  const proc = spawn(process.execPath, ["--import", "tsx", script, ...args], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
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

async function until<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs: number, intervalMs = 100): Promise<T> {
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

describe("crash safety through the real openai client", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "squadron-crash-sdk-"));
  const tapFile = path.join(dir, "tap.jsonl");
  const transcript = loadRoutedTranscript(WORKFLOW_TRANSCRIPT);
  let replayer: RoutedReplayer;
  let db: Child | undefined;
  let stack: Child | undefined;

  function startStack(databaseUrl: string): Promise<Ready> {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      NODE_OPTIONS: "",
      DATABASE_URL: databaseUrl,
      DATA_DIR: path.join(dir, "data"),
      CRASH_TAP_FILE: tapFile,
      CRASH_LEASE_MS: "2000",
      // Every role's default route is the configured provider: OpenAI, at the replayer.
      OPENAI_API_KEY: "sk-standin-openai",
      OPENAI_BASE_URL: replayer.baseURL,
      OPENAI_MODEL: "gpt-4.1-mini",
    };
    delete env.INNGEST_DEV;
    delete env.ANTHROPIC_API_KEY;
    stack = spawnScript("tests/fixtures/crash-stack.ts", [], env);
    return withTimeout("the app and executor to start", stack.ready, 40_000).then((line) => JSON.parse(line) as Ready);
  }

  beforeAll(async () => {
    replayer = await startRoutedReplayer("openai", transcript);
  });

  afterAll(async () => {
    await kill(stack, "SIGTERM").catch(() => kill(stack, "SIGKILL"));
    await kill(db, "SIGTERM").catch(() => kill(db, "SIGKILL"));
    await replayer?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("SIGKILL with a model call in flight: after the restart no answered call is sent again, the lost one is sent once more and recorded once", async () => {
    writeFileSync(tapFile, "");
    db = spawnScript("tests/fixtures/crash-db.ts", [path.join(dir, "pglite"), String(await freePort())], { ...process.env, NODE_OPTIONS: "" });
    const databaseUrl = await withTimeout("the embedded database to start", db.ready, 30_000);
    const first = await startStack(databaseUrl);

    // Kill the app when QA's second call (after its run_tests) reaches the vendor, before it is answered.
    let killedAt: number | null = null;
    let killing: Promise<void> | null = null;
    replayer.onRequest(({ agent, turn }) => {
      if (killedAt !== null || agent !== "qa" || turn !== 1) return undefined;
      killedAt = replayer.requests().length; // requests received so far, this one included
      const victim = stack;
      killing = kill(victim, "SIGKILL");
      return { status: 500, body: { error: { message: "never sent: the app is dead" } }, delayMs: 60_000 };
    });

    const sql = postgres(databaseUrl, { max: 1, prepare: false, onnotice: () => {} });
    try {
      const signUp = await fetch(`${first.appUrl}/api/auth/sign-up/email`, {
        method: "POST",
        headers: { "content-type": "application/json", origin: first.appUrl },
        body: JSON.stringify({ name: "Crash", email: `crash-sdk-${Date.now()}@example.test`, password: "correct-horse-battery" }),
      });
      expect(signUp.status).toBe(200);
      const cookie = signUp.headers
        .getSetCookie()
        .map((c) => c.split(";")[0])
        .join("; ");
      const created = await fetch(`${first.appUrl}/api/v1/tasks`, {
        method: "POST",
        headers: { "content-type": "application/json", origin: first.appUrl, cookie },
        body: JSON.stringify({ title: "Add a DELETE /todos/:id endpoint", description: "Return 204, or a JSON 404 if the todo is missing." }),
      });
      expect(created.status).toBe(201);
      const taskId = ((await created.json()) as { id: string }).id;

      await until("the kill mid-run", async () => (killing ? true : undefined), 60_000, 50);
      await killing;
      expect(stack?.proc.signalCode).toBe("SIGKILL");
      const beforeKill = replayer.requests().slice(0, killedAt ?? 0);
      // Planner 1 + developers 3 + 2 + QA's first call, answered; QA's second, in flight.
      expect(beforeKill.map((r) => replayer.agentOf(r)).sort()).toEqual(
        ["planner", "dev-route", "dev-route", "dev-route", "dev-tests", "dev-tests", "qa", "qa"].sort(),
      );
      const [ledgerAtKill] = await sql<{ n: number }[]>`select count(*)::int as n from llm_calls where task_id = ${taskId}`;
      expect(ledgerAtKill?.n).toBe((killedAt ?? 0) - 1); // every answered call is paid for once; the lost one is not

      const second = await startStack(databaseUrl);
      expect(second.pid).not.toBe(first.pid);
      const task = await until(
        "the task to finish after the restart",
        async () => {
          const res = await fetch(`${second.appUrl}/api/v1/tasks/${taskId}`, { headers: { cookie } });
          const body = (await res.json()) as { status: string; error: string | null };
          return ["completed", "failed", "cancelled"].includes(body.status) ? body : undefined;
        },
        60_000,
      );
      expect(task).toMatchObject({ status: "completed", error: null });

      // The vendor: after the restart only the lost call (again) and the reviewer's; every turn served.
      const requests = replayer.requests();
      const afterRestart = requests.slice(killedAt ?? 0).map((r) => `${replayer.agentOf(r)}`);
      expect(afterRestart).toEqual(["qa", "reviewer"]);
      expect(replayer.repeats().map((r) => [r.agent, r.turn])).toEqual([["qa", 1]]);
      expect(replayer.verify()).toEqual([]);

      // The ledger: each model step once, provider and model recorded; requests ≤ rows + 1.
      const rows = await sql<{ run_id: string; step_id: string; provider: string; model: string; n: number }[]>`
        select run_id, step_id, provider, model, count(*) over (partition by run_id, step_id)::int as n
        from llm_calls where task_id = ${taskId}`;
      expect(rows.filter((r) => r.n !== 1)).toEqual([]);
      expect(new Set(rows.map((r) => r.run_id)).size).toBe(1);
      expect(rows.every((r) => r.provider === "openai" && r.model.startsWith("gpt-4.1-mini"))).toBe(true);
      expect(rows).toHaveLength(transcript.agents.reduce((n, a) => n + a.turns.length, 0));
      expect(requests.length).toBe(rows.length + 1);
      expect(rows.map((r) => r.step_id)).toContain("subtask/run-tests/qa-0/model-1");

      // The app's answers to the executor (tapped before they left the process): each model step ran to a
      // result once, in one process — the one lost with the first process never produced one there.
      const ran = readFileSync(tapFile, "utf8")
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { pid: number; op: string; name: string | null })
        .filter((l) => l.op === "StepRun" && /\/model-\d+$/.test(l.name ?? ""));
      const runsPerStep = new Map<string, number[]>();
      for (const l of ran) runsPerStep.set(l.name ?? "", [...(runsPerStep.get(l.name ?? "") ?? []), l.pid]);
      expect([...runsPerStep.values()].filter((pids) => pids.length !== 1)).toEqual([]);
      expect([...runsPerStep.keys()].sort()).toEqual(rows.map((r) => r.step_id).sort());
      expect(runsPerStep.get("subtask/run-tests/qa-0/model-1")).toEqual([second.pid]);
      expect(runsPerStep.get("plan/model-0")).toEqual([first.pid]);

      const artifacts = await sql<{ kind: string; n: number }[]>`
        select kind, count(*)::int as n from artifacts where task_id = ${taskId} group by kind order by kind`;
      expect(artifacts).toEqual([
        { kind: "patch", n: 1 },
        { kind: "plan", n: 1 },
        { kind: "review", n: 1 },
        { kind: "test_report", n: 1 },
      ]);
    } catch (err) {
      const log = stack?.output.slice(-40).join("\n") ?? "";
      const seen = replayer.requests().map((r) => `${replayer.agentOf(r) ?? "?"}`);
      const calls = await sql`select step_id, provider, model from llm_calls order by created_at`.catch(() => []);
      const events = await sql`select type, actor, message from task_events order by id desc limit 8`.catch(() => []);
      throw new Error(
        `${err instanceof Error ? err.message : String(err)}\n--- vendor requests: ${seen.join(", ")}\n--- ledger: ${JSON.stringify(calls)}\n` +
          `--- last events: ${JSON.stringify(events)}\n--- stack output ---\n${log}`,
      );
    } finally {
      replayer.onRequest(null);
      await sql.end({ timeout: 1 });
    }
  }, 180_000);
});
