import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, rmSync } from "node:fs";
import path from "node:path";
import postgres from "postgres";
import { startStack, type Client, type Stack } from "../fixtures/stack";

// A repository made with plain `git init` on a machine whose default branch is `master`, registered
// with the API's default `defaultBranch: "main"` (which it does not have), and repositories that are
// broken in ways no retry can fix.

const run = (cwd: string, ...args: string[]) => execFileSync("git", args, { cwd, encoding: "utf8" }).trim();

function makeRepository(dataDir: string, name: string, opts: { commit: boolean }): string {
  const dir = path.join(dataDir, "repos", name);
  mkdirSync(path.dirname(dir), { recursive: true });
  cpSync(path.join(process.cwd(), "examples", "todo-api"), dir, {
    recursive: true,
    filter: (src) => !["node_modules", ".git"].includes(path.basename(src)),
  });
  run(dir, "-c", "init.defaultBranch=master", "init", "--quiet");
  if (opts.commit) {
    run(dir, "add", "--all");
    run(dir, "-c", "user.name=Test", "-c", "user.email=test@example.test", "-c", "commit.gpgsign=false", "commit", "--quiet", "-m", "Import");
  }
  return dir;
}

describe("workspaces start from the repository's own default branch", () => {
  let stack: Stack;
  let alice: Client;

  beforeAll(async () => {
    stack = await startStack("pglite");
    alice = await stack.signUp("Alice");
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
  });

  async function registerRepository(name: string, localPath: string): Promise<string> {
    const created = await alice.json<{ id: string; defaultBranch: string }>("/api/v1/repositories", {
      method: "POST",
      body: JSON.stringify({ name, localPath }),
    });
    expect(created.status).toBe(201);
    expect(created.body.defaultBranch).toBe("main");
    return created.body.id;
  }

  async function taskOn(repositoryId: string): Promise<string> {
    const created = await alice.json<{ id: string }>("/api/v1/tasks", {
      method: "POST",
      body: JSON.stringify({ title: "Add a DELETE /todos/:id endpoint", repositoryId }),
    });
    expect(created.status).toBe(201);
    return created.body.id;
  }

  /** The run's `prepare-workspace` step rows: `attempts` counts retries (0 = tried once). */
  async function workspaceSteps(taskId: string): Promise<{ attempts: number; status: string }[]> {
    const sql = postgres(stack.database.url, { prepare: false, max: 1 });
    try {
      const rows = await sql<{ attempts: number; status: string }[]>`
        select s.attempts, s.status from inngest_local.steps s join inngest_local.runs r on r.id = s.run_id
        where r.event->'data'->>'taskId' = ${taskId} and (s.name = 'prepare-workspace' or s.display_name = 'prepare-workspace')`;
      return rows.map((r) => ({ attempts: r.attempts, status: r.status }));
    } finally {
      await sql.end();
    }
  }

  test("a `master` repository runs the quickstart task end to end: endpoint and test on squad/<task> from master", async () => {
    const repo = makeRepository(stack.dataDir, "todo-master", { commit: true });
    expect(run(repo, "branch", "--show-current")).toBe("master");
    const taskId = await taskOn(await registerRepository("todo-master", repo));

    const task = await stack.waitForTask(alice, taskId);
    expect(task.error).toBeNull();
    expect(task.status).toBe("completed");
    const patch = task.artifacts.find((a) => a.kind === "patch");
    expect(patch?.content).toMatch(/DELETE/);
    expect(patch?.data.baseCommit).toBe(run(repo, "rev-parse", "master"));
    const report = task.artifacts.find((a) => a.kind === "test_report");
    expect(report?.data.passed).toBe(true);
    // The squad's branch lives in the master repository and holds the endpoint and its test.
    const files = run(repo, "diff", "--name-only", "master", `squad/${taskId}`).split("\n");
    expect(files).toEqual(expect.arrayContaining(["src/app.js"]));
    expect(files.some((f) => f.startsWith("test/"))).toBe(true);

    const sql = postgres(stack.database.url, { prepare: false, max: 1 });
    const events = await sql<{ message: string }[]>`select message from task_events where task_id = ${taskId} order by id`;
    await sql.end();
    expect(events.map((e) => e.message)).toContain(`Workspace ready: branch squad/${taskId} of todo-master, from master`);
  }, 120_000);

  test.each([
    ["a folder that is gone", "todo-gone", { commit: true, remove: true }, /does not exist/],
    ["a repository without commits", "todo-empty", { commit: false, remove: false }, /has no commits yet/],
  ])("%s fails the task at once with a clear message (no retries)", async (_label, name, opts, message) => {
    const repo = makeRepository(stack.dataDir, name, { commit: opts.commit });
    const repositoryId = await registerRepository(name, repo);
    if (opts.remove) rmSync(repo, { recursive: true, force: true });
    const taskId = await taskOn(repositoryId);

    const task = await stack.waitForTask(alice, taskId, 60_000);
    expect(task.status).toBe("failed");
    expect(task.error).toMatch(message);
    // The step ran once, failed for good, and was never retried.
    expect(await workspaceSteps(taskId)).toEqual([{ attempts: 0, status: "failed" }]);
    // The task page shows the reason as the last status entry of the timeline.
    const page = await alice.fetch(`/api/v1/tasks/${taskId}`);
    expect(JSON.stringify(await page.json())).toMatch(message);
  }, 90_000);

  test("per-squad agent settings reach the loop: tools enabled per agent, unknown tools refused, a turn limit stops the developer", async () => {
    const squads = await alice.json<{ id: string }[]>("/api/v1/squads");
    const squadId = squads.body[0]?.id;
    const refused = await alice.json<{ error: { code: string; message: string } }>(`/api/v1/squads/${squadId}`, {
      method: "PATCH",
      body: JSON.stringify({ agents: [{ role: "qa_engineer", tools: { enabled: ["format_disk"] } }] }),
    });
    expect(refused.status).toBe(422);
    expect(refused.body.error.message).toMatch(/Unknown tool\(s\) for the qa_engineer: format_disk/);

    type AgentJson = { role: string; tools: string[]; effectiveTools: string[]; maxTurns: number | null; defaultMaxTurns: number };
    const patched = await alice.json<{ agents: AgentJson[] }>(`/api/v1/squads/${squadId}`, {
      method: "PATCH",
      body: JSON.stringify({
        agents: [
          { role: "tech_lead", tools: { enabled: ["run_tests"], disabled: ["list_files"] } },
          { role: "developer", maxTurns: 1 },
        ],
      }),
    });
    expect(patched.status).toBe(200);
    const lead = patched.body.agents.find((a) => a.role === "tech_lead");
    expect(lead?.tools).toContain("list_files");
    expect(lead?.effectiveTools).toContain("run_tests");
    expect(lead?.effectiveTools).not.toContain("list_files");
    const developer = patched.body.agents.find((a) => a.role === "developer");
    expect(developer).toMatchObject({ maxTurns: 1 });
    expect(developer?.defaultMaxTurns).toBeGreaterThanOrEqual(40);

    // The quickstart developer needs two turns (write, then summarise): with one it is stopped.
    const created = await alice.json<{ id: string }>("/api/v1/tasks", {
      method: "POST",
      body: JSON.stringify({ title: "Add a DELETE /todos/:id endpoint" }),
    });
    const task = await stack.waitForTask(alice, created.body.id);
    expect(task.status).toBe("failed");
    const implement = task.subtasks.find((s) => s.role === "developer");
    expect(implement?.error).toMatch(/still calling tools after 1 turns/);

    const reset = await alice.json(`/api/v1/squads/${squadId}`, {
      method: "PATCH",
      body: JSON.stringify({ agents: [{ role: "developer", maxTurns: null }, { role: "tech_lead", tools: null }] }),
    });
    expect(reset.status).toBe(200);
  }, 120_000);
});
