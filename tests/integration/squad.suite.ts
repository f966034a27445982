import { writeFile } from "node:fs/promises";
import path from "node:path";
import postgres from "postgres";
import { z } from "zod";
import { startStack, type Client, type Stack, type TaskDetailJson } from "../fixtures/stack";

/** One row of a task's timeline (`task_events`), as the suite reads it. */
type TimelineRow = { id: number; type: string; actor: string; message: string; data: Record<string, unknown> | null };

/** An approval as `GET /api/v1/approvals` returns it. */
type ApprovalJson = {
  id: string;
  taskId: string;
  kind: string;
  requestedBy: string;
  reason: string;
  status: string;
  comment: string | null;
  decidedBy: string | null;
  details: Record<string, unknown>;
};

/** A squad as `GET /api/v1/squads` returns it. */
type SquadJson = {
  id: string;
  autonomy: string;
  budgetUsdMicros: number | null;
  organizationBudget: { monthlyBudgetUsdMicros: number | null; spentThisMonthUsdMicros: number };
  policy: { rules: { id: string }[]; approvalTimeoutSeconds: number };
  agents: { id: string; role: string; name: string; instructions: string | null; modelRoute: { provider: string; model: string }[] }[];
};

/** One row of the usage ledger. */
type LedgerRow = { run_id: string; step_id: string; agent_role: string; cost_usd_micros: number };

/**
 * Squad behaviour end to end (plan graph, QA fix loop, retries, …) through the in-process stack: the
 * real route handlers, the local executor and `/api/inngest`, with the offline scenarios of
 * `lib/llm/offline/scenarios` picked by task title. Run once per database backend.
 */
export function defineSquadSuite(kind: "pglite" | "postgres"): void {
  describe(`squad behaviour end to end on ${kind}`, () => {
    let stack: Stack;
    let alice: Client;
    let sql: postgres.Sql;

    beforeAll(async () => {
      stack = await startStack(kind);
      alice = await stack.signUp("Alice");
      sql = postgres(stack.database.url, { prepare: false, max: 2, onnotice: () => {} });
    }, 120_000);

    afterAll(async () => {
      // Let runs that are still finishing (a last event to send after the task completed) end before
      // the executor goes away, so nothing logs after the suite.
      const executor = process.env.INNGEST_DEV;
      for (let i = 0; executor && i < 100; i++) {
        const busy = await Promise.all(
          ["queued", "running"].map(async (status) => {
            const res = await fetch(`${executor}/runs?status=${status}&limit=1`, { headers: { accept: "application/json" } });
            const body = z.object({ runs: z.array(z.unknown()) }).safeParse(await res.json());
            return body.success ? body.data.runs.length : 0;
          }),
        );
        if (busy.every((n) => n === 0)) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      await sql?.end();
      await stack?.stop();
    });

    async function createTask(client: Client, title: string, description = ""): Promise<string> {
      const created = await client.json<{ id: string }>("/api/v1/tasks", {
        method: "POST",
        body: JSON.stringify({ title, description }),
      });
      expect(created.status).toBe(201);
      return created.body.id;
    }

    async function timeline(taskId: string): Promise<TimelineRow[]> {
      const rows = await sql<TimelineRow[]>`select id, type, actor, message, data from task_events where task_id = ${taskId} order by id`;
      return rows.map((r) => ({ ...r, id: Number(r.id) }));
    }

    async function ledger(taskId: string): Promise<LedgerRow[]> {
      const rows = await sql<LedgerRow[]>`select run_id, step_id, agent_role, cost_usd_micros from llm_calls where task_id = ${taskId} order by created_at`;
      return rows.map((r) => ({ ...r, cost_usd_micros: Number(r.cost_usd_micros) }));
    }

    async function waitForStatus(client: Client, taskId: string, status: string, timeoutMs = 60_000): Promise<TaskDetailJson> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const { body } = await client.json<TaskDetailJson>(`/api/v1/tasks/${taskId}`);
        if (body.status === status) return body;
        if (["completed", "failed", "cancelled"].includes(body.status) || Date.now() > deadline) {
          throw new Error(`task ${taskId} is ${body.status} (${body.error ?? "no error"}), expected ${status}`);
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    }

    /** A new user (their own organization and default squad) whose squad is set up with `settings`. */
    async function userWithSquad(name: string, settings: Record<string, unknown>): Promise<{ client: Client; squad: SquadJson }> {
      const client = await stack.signUp(name);
      const squads = await client.json<SquadJson[]>("/api/v1/squads");
      expect(squads.status).toBe(200);
      const patched = await client.json<SquadJson>(`/api/v1/squads/${squads.body[0]?.id}`, {
        method: "PATCH",
        body: JSON.stringify(settings),
      });
      expect(patched.status).toBe(200);
      return { client, squad: patched.body };
    }

    /** The task's one pending approval, as `GET /api/v1/approvals?status=pending` lists it (waits for it to appear). */
    async function pendingApproval(client: Client, taskId: string, timeoutMs = 60_000): Promise<ApprovalJson> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const list = await client.json<ApprovalJson[]>("/api/v1/approvals?status=pending");
        expect(list.status).toBe(200);
        const mine = list.body.filter((a) => a.taskId === taskId);
        expect(mine.length).toBeLessThanOrEqual(1);
        if (mine[0]) return mine[0];
        if (Date.now() > deadline) throw new Error(`no pending approval for task ${taskId} after ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }

    const decide = (client: Client, approvalId: string, body: { decision: string; comment?: string }) =>
      client.json<ApprovalJson & { error?: { code: string } }>(`/api/v1/approvals/${approvalId}/decision`, {
        method: "POST",
        body: JSON.stringify(body),
      });

    const subtaskEvent = (rows: TimelineRow[], key: string, status: string) =>
      rows.findIndex((r) => r.data?.subtask === key && r.data?.subtaskStatus === status);

    test("independent subtasks run in parallel, then QA and review; every subtask's status is visible", async () => {
      const taskId = await createTask(alice, "Add slugify and truncate helpers in parallel");
      const task = await stack.waitForTask(alice, taskId);
      expect(task.error).toBeNull();
      expect(task.status).toBe("completed");

      const byKey = new Map(task.subtasks.map((s) => [s.key, s]));
      expect([...byKey.keys()]).toEqual(["slugify", "truncate", "test", "review"]);
      expect(task.subtasks.every((s) => s.status === "completed")).toBe(true);
      expect(byKey.get("slugify")?.dependsOn).toEqual([]);
      expect(byKey.get("truncate")?.dependsOn).toEqual([]);
      expect(byKey.get("test")?.dependsOn.sort()).toEqual([byKey.get("slugify")?.id, byKey.get("truncate")?.id].sort());
      expect(byKey.get("slugify")?.output).toMatch(/slugify/);

      // Both builders started before either finished: they ran side by side.
      const rows = await timeline(taskId);
      const started = [subtaskEvent(rows, "slugify", "running"), subtaskEvent(rows, "truncate", "running")];
      const finished = [subtaskEvent(rows, "slugify", "completed"), subtaskEvent(rows, "truncate", "completed")];
      expect(Math.min(...started)).toBeGreaterThanOrEqual(0);
      expect(Math.max(...started)).toBeLessThan(Math.min(...finished));
      // QA starts only after both, the review only after QA.
      expect(subtaskEvent(rows, "test", "running")).toBeGreaterThan(Math.max(...finished));
      expect(subtaskEvent(rows, "review", "running")).toBeGreaterThan(subtaskEvent(rows, "test", "completed"));

      const patch = task.artifacts.find((a) => a.kind === "patch");
      expect(patch?.data.filesChanged).toEqual(
        expect.arrayContaining(["src/slugify.js", "src/truncate.js", "test/slugify.test.js", "test/truncate.test.js"]),
      );
      expect(task.artifacts.find((a) => a.kind === "test_report")?.data.passed).toBe(true);
    });

    test("a QA failure goes back to the developer, who fixes it, and the tests pass", async () => {
      const taskId = await createTask(alice, "Add a word count helper");
      const task = await stack.waitForTask(alice, taskId);
      expect(task.error).toBeNull();
      expect(task.status).toBe("completed");

      const reports = task.artifacts.filter((a) => a.kind === "test_report");
      expect(reports.map((r) => [r.data.attempt, r.data.passed])).toEqual([
        [0, false],
        [1, true],
      ]);
      expect(reports[0]?.content).toMatch(/wordCount counts words/);
      const patch = task.artifacts.find((a) => a.kind === "patch");
      expect(patch?.content).toContain("split(/\\s+/)");

      const rows = await timeline(taskId);
      const sentBack = rows.findIndex((r) => /sending them back to the Developer to fix \(attempt 1 of 2\)/.test(r.message));
      const passedAfterFix = rows.findIndex((r) => /Tests pass after 1 fix by the developer/.test(r.message));
      const fixWrite = rows.findIndex((r, i) => i > sentBack && r.actor === "developer" && /(edit_file|write_file) src\/word-count.js → ok/.test(r.message));
      expect(sentBack).toBeGreaterThan(0);
      expect(fixWrite).toBeGreaterThan(sentBack);
      expect(passedAfterFix).toBeGreaterThan(fixWrite);
      expect(rows[sentBack]?.data).toMatchObject({ to: "developer", attempt: 1, maxAttempts: 2 });

      const developerCalls = (await ledger(taskId)).filter((r) => r.agent_role === "developer");
      expect(developerCalls.map((r) => r.step_id)).toEqual([
        "subtask/implement/model-0",
        "subtask/implement/model-1",
        "subtask/test/fix-1/model-0",
        "subtask/test/fix-1/model-1",
      ]);
    });

    test("a failed subtask blocks its dependents; retry runs only the failed and blocked subtasks", async () => {
      const taskId = await createTask(alice, "Add a clamp helper");
      const failed = await stack.waitForTask(alice, taskId);
      expect(failed.status).toBe("failed");
      const statusOf = (t: TaskDetailJson) => Object.fromEntries(t.subtasks.map((s) => [s.key, s.status]));
      expect(statusOf(failed)).toEqual({ docs: "completed", implement: "completed", test: "failed", review: "blocked" });
      expect(failed.error).toMatch(/test failed.*review blocked/);
      expect(failed.subtasks.find((s) => s.key === "test")?.error).toMatch(/still fail after 2 fix attempt/);
      expect(failed.subtasks.find((s) => s.key === "review")?.error).toMatch(/depends on test/);
      expect(failed.artifacts.some((a) => a.kind === "review")).toBe(false);
      const firstRun = await ledger(taskId);

      // Only a failed or cancelled task can be retried, and only by its organization.
      const mallory = await stack.signUp("Mallory");
      expect((await mallory.fetch(`/api/v1/tasks/${taskId}/retry`, { method: "POST" })).status).toBe(404);

      // A person fixes the bug on the task's branch, then retries.
      const worktree = path.join(stack.dataDir, "worktrees", taskId);
      await writeFile(
        path.join(worktree, "src", "clamp.js"),
        "/** `value` limited to the range [min, max]. */\nexport function clamp(value, min, max) {\n  return Math.min(max, Math.max(min, value));\n}\n",
      );
      const retried = await alice.json<{ status: string; attempt: number; retried: string[] }>(`/api/v1/tasks/${taskId}/retry`, {
        method: "POST",
      });
      expect(retried.status).toBe(202);
      expect(retried.body).toMatchObject({ status: "queued", attempt: 1 });
      expect(retried.body.retried.sort()).toEqual(["review", "test"]);

      const done = await stack.waitForTask(alice, taskId);
      expect(done.error).toBeNull();
      expect(done.status).toBe("completed");
      expect(Object.values(statusOf(done)).every((s) => s === "completed")).toBe(true);
      expect(done.artifacts.find((a) => a.kind === "review")?.content).toMatch(/approve/i);

      // The second run made no developer calls: docs and implement were kept, not redone.
      const secondRun = (await ledger(taskId)).slice(firstRun.length);
      expect(secondRun.length).toBeGreaterThan(0);
      expect(new Set(secondRun.map((r) => r.run_id)).size).toBe(1);
      expect(secondRun.some((r) => firstRun.some((f) => f.run_id === r.run_id))).toBe(false);
      expect([...new Set(secondRun.map((r) => r.agent_role))].sort()).toEqual(["qa_engineer", "tech_lead"]);

      const again = await alice.json<{ error: { code: string } }>(`/api/v1/tasks/${taskId}/retry`, { method: "POST" });
      expect(again.status).toBe(409);
      expect(again.body.error.code).toBe("conflict");
    });

    test("a person approves the plan with instructions the developer follows, then approves a migration the path rule holds back", async () => {
      const { client: bob } = await userWithSquad("Bob", {
        autonomy: "human_required",
        policy: { rules: [{ id: "migrations", effect: "require_approval", paths: ["**/migrations/**"], reason: "Schema migrations need a person's approval" }] },
      });
      const taskId = await createTask(bob, "Add a due date column (approval demo)");

      const waiting = await waitForStatus(bob, taskId, "awaiting_approval");
      expect(waiting.subtasks.every((s) => s.status === "queued")).toBe(true);
      const planApproval = await pendingApproval(bob, taskId);
      expect(planApproval).toMatchObject({ kind: "plan", status: "pending", reason: expect.stringMatching(/autonomy is Human required/) });

      const approved = await decide(bob, planApproval.id, { decision: "approve", comment: "Name the column due_on" });
      expect(approved.status).toBe(200);
      expect(approved.body).toMatchObject({ status: "approved", comment: "Name the column due_on", decidedBy: "Bob" });
      expect((await decide(bob, planApproval.id, { decision: "reject" })).status).toBe(409);

      // The plan's approval is settled; the run goes on and stops again before delivering.
      const deliverApproval = await pendingApproval(bob, taskId);
      expect((await bob.json<TaskDetailJson>(`/api/v1/tasks/${taskId}`)).body.status).toBe("awaiting_approval");
      expect(deliverApproval).toMatchObject({ kind: "deliver", reason: "Schema migrations need a person's approval" });
      expect(deliverApproval.details).toMatchObject({ ruleId: "migrations" });
      expect((await decide(bob, deliverApproval.id, { decision: "approve" })).status).toBe(200);

      const task = await stack.waitForTask(bob, taskId);
      expect(task.error).toBeNull();
      expect(task.status).toBe("completed");
      const patch = task.artifacts.find((a) => a.kind === "patch");
      expect(patch?.content).toContain("ADD COLUMN due_on date");

      const rows = await timeline(taskId);
      const policy = rows.filter((r) => r.type === "policy").map((r) => [r.data?.action, r.data?.decision, r.data?.ruleId]);
      expect(policy).toEqual([
        ["plan", "require_approval", null],
        ["deliver", "require_approval", "migrations"],
      ]);
      expect(rows.some((r) => r.type === "approval" && /Bob approved the plan, with instructions: Name the column due_on/.test(r.message))).toBe(true);
      expect(rows.filter((r) => r.type === "approval" && r.data?.status === "awaiting_approval")).toHaveLength(2);

      // Another organization sees none of it.
      const mallory = await stack.signUp("Mallory");
      expect((await mallory.json<unknown[]>("/api/v1/approvals")).body).toEqual([]);
      expect((await decide(mallory, deliverApproval.id, { decision: "approve" })).status).toBe(404);
    });

    test("a person rejects the delivery of a supervised squad: the task ends cancelled with the reason", async () => {
      const { client: carol } = await userWithSquad("Carol", { autonomy: "supervised" });
      const taskId = await createTask(carol, "Add a due date column (rejection demo)");
      await waitForStatus(carol, taskId, "awaiting_approval");
      const approval = await pendingApproval(carol, taskId);
      expect(approval).toMatchObject({ kind: "deliver", reason: expect.stringMatching(/autonomy is Supervised/) });

      const invalid = await decide(carol, approval.id, { decision: "maybe" });
      expect(invalid.status).toBe(422);
      const rejected = await decide(carol, approval.id, { decision: "reject", comment: "Not this sprint" });
      expect(rejected.body).toMatchObject({ status: "rejected", comment: "Not this sprint" });

      const task = await stack.waitForTask(carol, taskId);
      expect(task.status).toBe("cancelled");
      expect(task.error).toBe("Rejected by Carol (deliver): Not this sprint");
      expect((await carol.json<ApprovalJson[]>("/api/v1/approvals?status=pending")).body).toEqual([]);
      const rows = await timeline(taskId);
      expect(rows.at(-1)).toMatchObject({ type: "status", data: { status: "cancelled" } });
    });

    test("a decision made the instant the approval appears is not missed: the run waits before anyone can see it", async () => {
      // An hour's timeout: a missed decision would leave the task awaiting approval past the test's limit.
      const { client: frank } = await userWithSquad("Frank", { autonomy: "supervised", policy: { approvalTimeoutSeconds: 3600 } });
      const taskId = await createTask(frank, "Add a due date column (instant decision demo)");
      let approvalId: string | undefined;
      for (const deadline = Date.now() + 60_000; !approvalId && Date.now() < deadline; ) {
        [{ id: approvalId } = { id: undefined }] = await sql<{ id: string }[]>`select id from approvals where task_id = ${taskId}`;
        if (!approvalId) await new Promise((r) => setTimeout(r, 2));
      }
      if (!approvalId) throw new Error(`no approval appeared within 60 s; the task is ${(await frank.json<TaskDetailJson>(`/api/v1/tasks/${taskId}`)).body.status}`);
      // Inngest matches only events that arrive after a wait is registered: it must already exist.
      const waits = await sql`select 1 from inngest_local.waits where expression like ${`%${approvalId}%`}`;
      expect(waits).toHaveLength(1);
      expect((await decide(frank, approvalId, { decision: "reject", comment: "Too early" })).status).toBe(200);
      const task = await stack.waitForTask(frank, taskId, 30_000);
      expect(task.status).toBe("cancelled");
      expect(task.error).toBe("Rejected by Frank (deliver): Too early");
    });

    test("an approval nobody decides expires after the squad's timeout and the task ends cancelled", async () => {
      const { client: dave, squad } = await userWithSquad("Dave", { autonomy: "supervised", policy: { approvalTimeoutSeconds: 1 } });
      expect(squad.policy.approvalTimeoutSeconds).toBe(1);
      const taskId = await createTask(dave, "Add a due date column (expiry demo)");
      const task = await stack.waitForTask(dave, taskId);
      expect(task.status).toBe("cancelled");
      expect(task.error).toMatch(/deliver approval expired/);
      const expired = await dave.json<ApprovalJson[]>("/api/v1/approvals?status=expired");
      expect(expired.body.map((a) => [a.taskId, a.kind, a.status])).toEqual([[taskId, "deliver", "expired"]]);
      const rows = await timeline(taskId);
      expect(rows.some((r) => r.type === "approval" && /expired after 1 s/.test(r.message))).toBe(true);
    });

    test("crossing the task budget pauses the run for approval; approving raises the budget and the run resumes", async () => {
      const { client: erin, squad } = await userWithSquad("Erin", { budgetUsdMicros: 700_000 });
      expect(squad.budgetUsdMicros).toBe(700_000);
      const taskId = await createTask(erin, "Add a priority label helper (budget demo)");

      const paused = await waitForStatus(erin, taskId, "awaiting_approval");
      const approval = await pendingApproval(erin, taskId);
      expect(approval.kind).toBe("budget");
      expect(approval.reason).toMatch(/^This task has spent \$0\.\d+, over its budget of \$0\.70\. Approve to raise the budget to \$1\.40/);
      expect(paused.budget.budgetUsdMicros).toBe(700_000);
      expect(paused.budget.spentUsdMicros).toBeGreaterThan(700_000);
      expect(paused.budget.estimatedUsdMicros).toBeGreaterThan(0);
      const spentWhilePaused = (await ledger(taskId)).length;
      await new Promise((r) => setTimeout(r, 500));
      expect((await ledger(taskId)).length).toBe(spentWhilePaused); // paused, not running on

      expect((await decide(erin, approval.id, { decision: "approve", comment: "Fine, but keep it small" })).status).toBe(200);
      const task = await stack.waitForTask(erin, taskId);
      expect(task.error).toBeNull();
      expect(task.status).toBe("completed");
      expect(task.budget.budgetUsdMicros).toBe(1_400_000);
      expect(task.budget.spentUsdMicros).toBeLessThanOrEqual(1_400_000);
      expect(task.usage.costUsdMicros).toBe(task.budget.spentUsdMicros);
      const rows = await timeline(taskId);
      expect(rows.some((r) => /Estimated cost of the 3 subtask\(s\) to run: \$\d+\.\d+ \(task budget \$0\.70\)/.test(r.message))).toBe(true);
      expect(rows.some((r) => r.message === "Task budget raised to $1.40")).toBe(true);

      // The ledger holds one row per model step, and the squad's rollup per role adds up to it.
      const rowsOfLedger = await ledger(taskId);
      expect(new Set(rowsOfLedger.map((r) => `${r.run_id}/${r.step_id}`)).size).toBe(rowsOfLedger.length);
      const squads = await erin.json<(SquadJson & { usageThisMonth: { costUsdMicros: number; byRole: { role: string }[] } })[]>("/api/v1/squads");
      expect(squads.body[0]?.usageThisMonth.costUsdMicros).toBe(task.usage.costUsdMicros);
      expect(squads.body[0]?.usageThisMonth.byRole.map((r) => r.role)).toEqual(["developer", "product_manager", "qa_engineer", "tech_lead"]);
    });

    test("crossing the organization's monthly budget pauses a run too; rejecting cancels the task", async () => {
      const { client: frank, squad } = await userWithSquad("Frank", { organizationMonthlyBudgetUsdMicros: 100_000 });
      expect(squad.organizationBudget).toEqual({ monthlyBudgetUsdMicros: 100_000, spentThisMonthUsdMicros: 0 });
      const taskId = await createTask(frank, "Add a priority label helper (budget demo)");
      await waitForStatus(frank, taskId, "awaiting_approval");
      const approval = await pendingApproval(frank, taskId);
      expect(approval).toMatchObject({ kind: "budget", details: { scope: "organization", budgetUsdMicros: 100_000 } });
      expect(approval.reason).toMatch(/over its monthly budget of \$0\.10/);
      await decide(frank, approval.id, { decision: "reject", comment: "Out of budget this month" });
      const task = await stack.waitForTask(frank, taskId);
      expect(task.status).toBe("cancelled");
      expect(task.error).toBe("Rejected by Frank (budget): Out of budget this month");
    });

    test("squads API: list squads with their agents, change autonomy, budget, policy, prompts and routes, add and remove roles", async () => {
      const grace = await stack.signUp("Grace");
      const list = await grace.json<SquadJson[]>("/api/v1/squads");
      expect(list.status).toBe(200);
      expect(list.body).toHaveLength(1);
      const squad = list.body[0] as SquadJson;
      expect(squad).toMatchObject({ autonomy: "autonomous", budgetUsdMicros: null, policy: { rules: [], approvalTimeoutSeconds: 86_400 } });
      expect(squad.agents.map((a) => a.role)).toEqual(["product_manager", "tech_lead", "developer", "qa_engineer"]);

      const patched = await grace.json<SquadJson & { agents: { role: string; systemPrompt: string | null; tools: string[]; kind: string }[] }>(
        `/api/v1/squads/${squad.id}`,
        {
          method: "PATCH",
          body: JSON.stringify({
            autonomy: "supervised",
            budgetUsdMicros: 2_000_000,
            policy: { rules: [{ id: "infra", effect: "require_approval", paths: ["infra/**"] }], approvalTimeoutSeconds: 3600 },
            agents: [
              { role: "developer", instructions: "Prefer small functions.", modelRoute: [{ provider: "anthropic", model: "claude-sonnet-5-5" }, { provider: "openai", model: "gpt-4.1" }] },
              { role: "tech_lead", systemPrompt: "You are a strict reviewer." },
              { role: "architect" },
              { role: "devops_engineer", name: "Ops" },
            ],
          }),
        },
      );
      expect(patched.status).toBe(200);
      expect(patched.body).toMatchObject({ autonomy: "supervised", budgetUsdMicros: 2_000_000, policy: { approvalTimeoutSeconds: 3600 } });
      const byRole = new Map(patched.body.agents.map((a) => [a.role, a]));
      expect([...byRole.keys()].sort()).toEqual(["architect", "developer", "devops_engineer", "product_manager", "qa_engineer", "tech_lead"]);
      expect(byRole.get("developer")).toMatchObject({
        instructions: "Prefer small functions.",
        modelRoute: [{ provider: "anthropic", model: "claude-sonnet-5-5" }, { provider: "openai", model: "gpt-4.1" }],
      });
      expect(byRole.get("tech_lead")).toMatchObject({ systemPrompt: "You are a strict reviewer." });
      expect(byRole.get("architect")).toMatchObject({ name: "Architect", kind: "designer", tools: ["list_files", "read_file", "search", "search_knowledge", "ask_teammate"] });
      expect(byRole.get("devops_engineer")).toMatchObject({ name: "Ops", kind: "builder" });

      const removed = await grace.json<SquadJson>(`/api/v1/squads/${squad.id}`, {
        method: "PATCH",
        body: JSON.stringify({ agents: [{ role: "architect", enabled: false }, { role: "tech_lead", systemPrompt: null }] }),
      });
      expect(removed.body.agents.map((a) => a.role)).not.toContain("architect");
      expect((await grace.json<SquadJson>(`/api/v1/squads/${squad.id}`)).body.agents.find((a) => a.role === "tech_lead")).toMatchObject({ systemPrompt: null });

      // Invalid changes say what is wrong and change nothing.
      const noPlanner = await grace.json<{ error: { code: string; message: string } }>(`/api/v1/squads/${squad.id}`, {
        method: "PATCH",
        body: JSON.stringify({ autonomy: "autonomous", agents: [{ role: "product_manager", enabled: false }] }),
      });
      expect(noPlanner.status).toBe(422);
      expect(noPlanner.body.error.message).toMatch(/product_manager/);
      const bad = await grace.json<{ error: { details: { issues: { path: string }[] } } }>(`/api/v1/squads/${squad.id}`, {
        method: "PATCH",
        body: JSON.stringify({ autonomy: "yolo", agents: [{ role: "developer", modelRoute: [{ provider: "skynet", model: "x" }] }] }),
      });
      expect(bad.status).toBe(422);
      expect(bad.body.error.details.issues.map((i) => i.path).sort()).toEqual(["agents.0.modelRoute.0.provider", "autonomy"]);
      expect((await grace.json<SquadJson>(`/api/v1/squads/${squad.id}`)).body.autonomy).toBe("supervised");

      const mallory = await stack.signUp("Mallory");
      expect((await mallory.fetch(`/api/v1/squads/${squad.id}`)).status).toBe(404);
      expect((await mallory.fetch(`/api/v1/squads/${squad.id}`, { method: "PATCH", body: JSON.stringify({ autonomy: "autonomous" }) })).status).toBe(404);
    });

    test("a developer asks the tech lead a question; the tech lead answers in its own run and the developer follows it", async () => {
      const taskId = await createTask(alice, "Add a todo count helper (ask the tech lead)");
      const task = await stack.waitForTask(alice, taskId);
      expect(task.error).toBeNull();
      expect(task.status).toBe("completed");
      expect(task.artifacts.find((a) => a.kind === "patch")?.content).toContain("countOpenTodos");

      const rows = await timeline(taskId);
      const question = rows.find((r) => r.data?.kind === "question");
      const answer = rows.find((r) => r.data?.kind === "answer");
      expect(question).toMatchObject({
        actor: "developer",
        message: "Asks the Tech lead: Should the todo count include completed todos, or only open ones?",
        data: { from: "developer", to: "tech_lead" },
      });
      expect(answer).toMatchObject({ actor: "tech_lead", data: { from: "tech_lead", to: "developer", answered: true } });
      expect(answer?.message).toMatch(/^Answers the Developer: Count only open todos/);
      expect(answer?.data?.collaborationId).toBe(question?.data?.collaborationId);
      // The developer went on only after the answer, and did what it said.
      const followed = rows.findIndex((r) => r.actor === "developer" && /^write_file src\/count.js → ok/.test(r.message));
      expect(rows.indexOf(question as TimelineRow)).toBeLessThan(rows.indexOf(answer as TimelineRow));
      expect(rows.indexOf(answer as TimelineRow)).toBeLessThan(followed);

      // The answer came from the tech lead's own run: its model call is in the ledger under another run id.
      const calls = await ledger(taskId);
      const answerCall = calls.find((c) => c.step_id === "answer/model-0");
      const developerCall = calls.find((c) => c.step_id === "subtask/implement/model-0");
      expect(answerCall?.agent_role).toBe("tech_lead");
      expect(answerCall?.run_id).not.toBe(developerCall?.run_id);
    });

    test("an agent repeating the same tool call is stopped and escalated to a person, whose instructions let it finish", async () => {
      const taskId = await createTask(alice, "Tidy up the README (stuck loop demo)");
      await waitForStatus(alice, taskId, "awaiting_approval");
      const approval = await pendingApproval(alice, taskId);
      expect(approval).toMatchObject({ kind: "stuck_loop", requestedBy: "developer" });
      expect(approval.reason).toMatch(/^The Developer called read_file \{"path":"README.md"\} 3 times with the same arguments\./);
      // Stopped, not looping: the third identical call was never run and no further model call is made.
      const before = await ledger(taskId);
      await new Promise((r) => setTimeout(r, 500));
      expect(await ledger(taskId)).toHaveLength(before.length);
      const reads = (await timeline(taskId)).filter((r) => r.type === "tool_call" && /^read_file README.md → ok/.test(r.message));
      expect(reads).toHaveLength(2);

      await decide(alice, approval.id, { decision: "approve", comment: "Stop re-reading README.md and finish." });
      const task = await stack.waitForTask(alice, taskId);
      expect(task.error).toBeNull();
      expect(task.status).toBe("completed");
      const developerCalls = (await ledger(taskId)).filter((r) => r.agent_role === "developer").map((r) => r.step_id);
      expect(developerCalls).toEqual(["subtask/tidy/model-0", "subtask/tidy/model-1", "subtask/tidy/model-2", "subtask/tidy/model-3"]);
      const rows = await timeline(taskId);
      expect(rows.some((r) => r.type === "approval" && /Alice approved letting the stuck agent go on, with instructions: Stop re-reading/.test(r.message))).toBe(true);
    });
  });
}
