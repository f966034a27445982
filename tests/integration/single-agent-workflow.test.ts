import postgres from "postgres";
import { startStack, type Client, type Stack, type TaskDetailJson } from "../fixtures/stack";

/** A squad as the squads API returns it (the fields this file reads). */
type SquadJson = { id: string; name: string; workflow: string; agents: { role: string }[] };
/** One row of a task's timeline (`task_events`). */
type TimelineRow = { type: string; actor: string; message: string; data: Record<string, unknown> | null };
/** One row of the usage ledger (`llm_calls`). */
type LedgerRow = { step_id: string; agent_role: string; provider: string; input_tokens: number; output_tokens: number; cost_usd_micros: number };
type ApiError = { error: { code: string; message: string; details?: { issues?: { path: string; message: string }[] } } };

/** The offline scenario whose developer really changes code (lib/llm/offline/scenarios/add-delete-todo-endpoint.json). */
const CODE_CHANGING_TITLE = "Add a DELETE /todos/:id endpoint";

/**
 * The `single_agent` workflow (`squads.workflow`, the eval's baseline) end to end on PGlite: the real
 * route handlers, the local Inngest executor and the offline model. One developer does the whole
 * task: no product-manager call, no QA agent, no review; the suite still runs and the patch is stored.
 */
describe("single-agent workflow end to end on pglite", () => {
  let stack: Stack;
  let alice: Client;
  let sql: postgres.Sql;

  beforeAll(async () => {
    stack = await startStack("pglite");
    alice = await stack.signUp("Alice");
    sql = postgres(stack.database.url, { prepare: false, max: 2, onnotice: () => {} });
  }, 120_000);

  afterAll(async () => {
    await sql?.end();
    await stack?.stop();
  });

  async function defaultSquad(client: Client): Promise<SquadJson> {
    const list = await client.json<SquadJson[]>("/api/v1/squads");
    expect(list.status).toBe(200);
    const squad = list.body[0];
    if (!squad) throw new Error("the user has no squad");
    return squad;
  }

  test("a single_agent squad's task is done by the developer alone: patch, tests, usage, no plan call and no review", async () => {
    const squad = await defaultSquad(alice);
    expect(squad.workflow).toBe("squad");
    const patched = await alice.json<SquadJson>(`/api/v1/squads/${squad.id}`, { method: "PATCH", body: JSON.stringify({ workflow: "single_agent" }) });
    expect(patched.status).toBe(200);
    expect(patched.body.workflow).toBe("single_agent");
    expect((await alice.json<SquadJson>(`/api/v1/squads/${squad.id}`)).body.workflow).toBe("single_agent");
    // The squad keeps its other agents: the workflow, not the roster, keeps them out of the run.
    expect(patched.body.agents.map((a) => a.role).sort()).toEqual(["developer", "product_manager", "qa_engineer", "tech_lead"]);

    const created = await alice.json<{ id: string; status: string }>("/api/v1/tasks", {
      method: "POST",
      body: JSON.stringify({ title: CODE_CHANGING_TITLE, description: "Return 204, or 404 if missing.", squadId: squad.id }),
    });
    expect(created.status).toBe(201);
    const task: TaskDetailJson = await stack.waitForTask(alice, created.body.id);
    expect(task.error).toBeNull();
    expect(task.status).toBe("completed");

    // One subtask: the whole task, for the developer.
    expect(task.subtasks).toHaveLength(1);
    expect(task.subtasks[0]).toMatchObject({ key: "work", role: "developer", status: "completed", dependsOn: [] });
    expect(task.subtasks[0]?.output).toMatch(/DELETE/);

    // Artifacts: the stored one-line plan, the suite's report and the patch; no review.
    expect(task.artifacts.map((a) => a.kind).sort()).toEqual(["patch", "plan", "test_report"]);
    const plan = task.artifacts.find((a) => a.kind === "plan");
    expect(plan?.data).toMatchObject({ model: { provider: "none", model: "single-agent" } });
    const patch = task.artifacts.find((a) => a.kind === "patch");
    expect(patch?.content).toMatch(/^diff --git a\/src\/app\.js/m);
    expect(patch?.content).toMatch(/^\+.*DELETE/m);
    expect(patch?.content).toMatch(/^diff --git a\/test\/delete-todo\.test\.js/m);
    const report = task.artifacts.find((a) => a.kind === "test_report");
    expect(report?.title).toBe("Tests passed");
    expect(report?.data).toMatchObject({ passed: true, exitCode: 0 });
    expect(report?.content).toMatch(/delete/i); // the developer's new test ran too

    // Usage: only the developer called a model, every call is in the ledger, and the totals match it.
    expect(task.usage.byRole.map((r) => r.role)).toEqual(["developer"]);
    const ledger = (
      await sql<LedgerRow[]>`select step_id, agent_role, provider, input_tokens, output_tokens, cost_usd_micros from llm_calls where task_id = ${task.id}`
    ).map((r) => ({ ...r, input_tokens: Number(r.input_tokens), output_tokens: Number(r.output_tokens), cost_usd_micros: Number(r.cost_usd_micros) }));
    expect(ledger.length).toBeGreaterThanOrEqual(3); // read, write, summary turns of the scripted developer
    expect(task.usage.calls).toBe(ledger.length);
    expect(new Set(ledger.map((r) => r.agent_role))).toEqual(new Set(["developer"]));
    expect(ledger.every((r) => r.provider === "offline")).toBe(true);
    expect(ledger.every((r) => r.step_id.startsWith("subtask/work/"))).toBe(true);
    expect(task.usage.inputTokens).toBe(ledger.reduce((n, r) => n + r.input_tokens, 0));
    expect(task.usage.outputTokens).toBe(ledger.reduce((n, r) => n + r.output_tokens, 0));
    expect(task.usage.inputTokens).toBeGreaterThan(0);
    expect(task.usage.outputTokens).toBeGreaterThan(0);
    expect(task.usage.costUsdMicros).toBe(ledger.reduce((n, r) => n + r.cost_usd_micros, 0));
    expect(task.budget.spentUsdMicros).toBe(task.usage.costUsdMicros);

    // The timeline says it is a single-agent run, and no planner, tester or reviewer shows up in it.
    const timeline = await sql<TimelineRow[]>`select type, actor, message, data from task_events where task_id = ${task.id} order by id`;
    expect(timeline.some((e) => /single-agent workflow/.test(e.message))).toBe(true);
    if (process.env.DUMP_TIMELINE) console.log(timeline.map((e) => `${e.type} ${e.actor}: ${e.message}`).join("\n"));
    const actors = new Set(timeline.map((e) => e.actor));
    expect(actors.has("developer")).toBe(true);
    for (const role of ["product_manager", "qa_engineer", "tech_lead"]) expect(actors.has(role)).toBe(false);
    expect(timeline.some((e) => e.type === "tool_call" && e.actor === "developer" && /write_file/.test(e.message))).toBe(true);
  });

  test("an unknown workflow is refused with a 422 naming the field, and the squad is left as it was", async () => {
    const bob = await stack.signUp("Bob");
    const squad = await defaultSquad(bob);
    const bad = await bob.json<ApiError>(`/api/v1/squads/${squad.id}`, { method: "PATCH", body: JSON.stringify({ workflow: "solo" }) });
    expect(bad.status).toBe(422);
    expect(bad.body.error.code).toBe("invalid_input");
    expect(bad.body.error.message).toMatch(/workflow/);
    expect(bad.body.error.details?.issues?.map((i) => i.path)).toEqual(["workflow"]);
    expect(bad.body.error.details?.issues?.[0]?.message).toMatch(/single_agent/);
    const wrongType = await bob.json<ApiError>(`/api/v1/squads/${squad.id}`, { method: "PATCH", body: JSON.stringify({ workflow: null }) });
    expect(wrongType.status).toBe(422);
    expect(wrongType.body.error.details?.issues?.map((i) => i.path)).toEqual(["workflow"]);
    expect((await bob.json<SquadJson>(`/api/v1/squads/${squad.id}`)).body.workflow).toBe("squad");

    // Creating a squad with a bad workflow is refused too (and stores no squad).
    const created = await bob.json<ApiError>("/api/v1/squads", { method: "POST", body: JSON.stringify({ name: "Baseline", workflow: "solo" }) });
    expect(created.status).toBe(422);
    expect(created.body.error.message).toMatch(/workflow/);
    expect((await bob.json<SquadJson[]>("/api/v1/squads")).body).toHaveLength(1);
  });
});
