import path from "node:path";
import postgres from "postgres";
import { startStack, type Client, type Stack } from "../fixtures/stack";
import { loadRoutedTranscript, startRoutedReplayer, type ReplayVendor, type RoutedReplayer } from "../fixtures/vendors/replayer";

type SquadJson = { id: string; agents: { role: string }[] };
type LedgerRow = { run_id: string; step_id: string; agent_role: string; provider: string; model: string; input_tokens: number; output_tokens: number };

/** The model each vendor's run routes every role to, and the env that points the app at the stand-in. */
const vendors: Record<ReplayVendor, { model: string; env: (baseURL: string) => Record<string, string> }> = {
  openai: {
    model: "gpt-4.1-mini",
    env: (baseURL) => ({ OPENAI_API_KEY: "sk-standin-openai", OPENAI_BASE_URL: baseURL, OPENAI_MODEL: "gpt-4.1-mini" }),
  },
  anthropic: {
    model: "claude-sonnet-4-6",
    env: (baseURL) => ({ ANTHROPIC_API_KEY: "sk-ant-standin", ANTHROPIC_BASE_URL: baseURL, ANTHROPIC_MODEL: "claude-sonnet-4-6" }),
  },
};

export const WORKFLOW_TRANSCRIPT = path.join(process.cwd(), "tests/fixtures/transcripts/workflow-delete-endpoint.json");

/**
 * A whole task through the real `openai` / `@anthropic-ai/sdk` client (one vendor per test file, as
 * app modules read the env once): the stack (route handlers, local executor, `/api/inngest`) with every
 * role of the squad routed to the vendor, whose wire format a routed transcript replayer speaks
 * (tests/fixtures/transcripts/workflow-delete-endpoint.json). The product manager plans two developer
 * subtasks that run in parallel (route + tests, each in its own worktree, merged), QA runs the suite,
 * the tech lead reviews; the task completes with the patch. The ledger holds one row per request the
 * vendor received, with provider, model and the vendor's usage figures.
 */
export function defineWorkflowRealSdkSuite(vendor: ReplayVendor): void {
  describe(`whole task through the real ${vendor} client`, () => {
    let stack: Stack;
    let replayer: RoutedReplayer;
    let alice: Client;
    let sql: postgres.Sql;
    const { model, env } = vendors[vendor];
    const transcript = loadRoutedTranscript(WORKFLOW_TRANSCRIPT);

    beforeAll(async () => {
      replayer = await startRoutedReplayer(vendor, transcript);
      stack = await startStack("pglite", { env: env(replayer.baseURL) });
      sql = postgres(stack.database.url, { prepare: false, max: 2, onnotice: () => {} });
      alice = await stack.signUp("Alice");
      const squad = (await alice.json<SquadJson[]>("/api/v1/squads")).body[0];
      const agents = squad.agents.map((a) => ({ role: a.role, modelRoute: [{ provider: vendor, model }] }));
      const patched = await alice.json(`/api/v1/squads/${squad.id}`, { method: "PATCH", body: JSON.stringify({ agents }) });
      expect(patched.status).toBe(200);
    }, 120_000);

    afterAll(async () => {
      await sql?.end();
      await stack?.stop();
      await replayer?.close();
    });

    test("plan → two developers in parallel → QA → review → patch, one ledger row per vendor request", async () => {
      const created = await alice.json<{ id: string }>("/api/v1/tasks", {
        method: "POST",
        body: JSON.stringify({ title: "Add a DELETE /todos/:id endpoint", description: "Return 204, or a JSON 404 if the todo is missing." }),
      });
      expect(created.status).toBe(201);
      const task = await stack.waitForTask(alice, created.body.id, 120_000);
      expect({ status: task.status, error: task.error }).toEqual({ status: "completed", error: null });
      expect(replayer.verify()).toEqual([]);
      expect(replayer.repeats()).toEqual([]);

      // The plan as the product manager gave it: two developers with no dependency between them.
      expect(task.subtasks.map((s) => [s.key, s.role, s.status]).sort()).toEqual([
        ["delete-route", "developer", "completed"],
        ["delete-tests", "developer", "completed"],
        ["review", "tech_lead", "completed"],
        ["run-tests", "qa_engineer", "completed"],
      ]);
      const byKey = new Map(task.subtasks.map((s) => [s.key, s]));
      expect(byKey.get("delete-route")?.dependsOn).toEqual([]);
      expect(byKey.get("delete-tests")?.dependsOn).toEqual([]);
      // …and they ran at the same time: each started before the other finished.
      const [route, tests] = [byKey.get("delete-route"), byKey.get("delete-tests")].map((s) => ({
        start: Date.parse(s?.startedAt ?? ""),
        end: Date.parse(s?.completedAt ?? ""),
      }));
      expect(route.start).toBeLessThan(tests.end);
      expect(tests.start).toBeLessThan(route.end);

      // Artifacts: the patch holds both developers' changes, QA's report passed, the review is the tech lead's.
      expect(task.artifacts.map((a) => a.kind).sort()).toEqual(["patch", "plan", "review", "test_report"]);
      const patch = task.artifacts.find((a) => a.kind === "patch")?.content ?? "";
      expect(patch).toMatch(/^diff --git a\/src\/app\.js b\/src\/app\.js$/m);
      expect(patch).toMatch(/^diff --git a\/test\/delete-todo\.test\.js b\/test\/delete-todo\.test\.js$/m);
      expect(patch).toContain('+    if (req.method === "DELETE") {');
      expect(patch).toContain("+    remove(id) {");
      expect(patch).toContain('+describe("DELETE /todos/:id", () => {');
      const report = task.artifacts.find((a) => a.kind === "test_report");
      expect(report?.data.passed).toBe(true);
      expect(report?.content).toMatch(/delete-todo|DELETE/);
      const review = task.artifacts.find((a) => a.kind === "review");
      expect(review?.data.verdict).toBe("approve");
      expect(review?.content).toContain("findTodo");

      // Each agent's requests went to its own script, and the briefs said what they should.
      const requests = replayer.requests();
      expect(replayer.requestsOf("planner")).toHaveLength(1);
      expect(replayer.requestsOf("dev-route")).toHaveLength(3);
      expect(replayer.requestsOf("dev-tests")).toHaveLength(2);
      expect(replayer.requestsOf("qa")).toHaveLength(2);
      expect(replayer.requestsOf("reviewer")).toHaveLength(1);
      const reviewBody = JSON.stringify(replayer.requestsOf("reviewer")[0]?.body);
      expect(reviewBody).toContain("delete-todo.test.js"); // the diff it reviews has both developers' work
      expect(reviewBody).toContain("remove(id)");
      for (const req of requests) expect((req.body as { model?: string }).model).toBe(model);

      // The ledger: one row per request the vendor received, each step once, provider/model and usage as reported.
      const rows = await sql<LedgerRow[]>`
        select run_id, step_id, agent_role, provider, model, input_tokens, output_tokens from llm_calls where task_id = ${task.id}`;
      expect(rows).toHaveLength(requests.length);
      expect(new Set(rows.map((r) => `${r.run_id}/${r.step_id}`)).size).toBe(rows.length);
      for (const r of rows) expect({ provider: r.provider, model: r.model }).toEqual({ provider: vendor, model: expect.stringMatching(new RegExp(`^${model.replace(/\./g, "\\.")}`)) });
      const turns = transcript.agents.flatMap((a) => a.turns);
      const want = { input: turns.reduce((n, t) => n + (t.usage?.input ?? 10), 0), output: turns.reduce((n, t) => n + (t.usage?.output ?? 5), 0) };
      expect({ input: rows.reduce((n, r) => n + r.input_tokens, 0), output: rows.reduce((n, r) => n + r.output_tokens, 0) }).toEqual(want);
      expect({ calls: task.usage.calls, input: task.usage.inputTokens, output: task.usage.outputTokens }).toEqual({ calls: requests.length, ...want });
      expect(task.usage.costUsdMicros).toBeGreaterThan(0);
      const roles = Object.fromEntries(task.usage.byRole.map((r) => [r.role, r.calls]));
      expect(roles).toEqual({ product_manager: 1, developer: 5, qa_engineer: 2, tech_lead: 1 });
      const steps = rows.map((r) => r.step_id).sort();
      expect(steps).toEqual(
        [
          "plan/model-0",
          "subtask/delete-route/model-0",
          "subtask/delete-route/model-1",
          "subtask/delete-route/model-2",
          "subtask/delete-tests/model-0",
          "subtask/delete-tests/model-1",
          "subtask/run-tests/qa-0/model-0",
          "subtask/run-tests/qa-0/model-1",
          "subtask/review/model-0",
        ].sort(),
      );
    }, 150_000);
  });
}
