import path from "node:path";
import { interpolate, loadScenarios, scriptFor, selectScenario } from "@/lib/llm/offline/scenario";
import { callOffline, offlinePriceFor } from "@/lib/llm/providers/offline";
import { planSchema } from "@/lib/llm/schemas";
import { planGraphProblem } from "@/lib/tasks/plan-graph";

const dir = path.join(process.cwd(), "lib", "llm", "offline", "scenarios");

describe("bundled offline scenarios", () => {
  const set = loadScenarios(dir);

  test("every scenario's plan parses and is a valid graph", () => {
    const scenarios = new Set([...set.byTitle.values(), set.fallback]);
    for (const scenario of scenarios) {
      const turn = scenario.roles.product_manager?.[0];
      const json = turn && "json" in turn ? interpolate(turn.json, { "task.title": "T", "task.description": "D", "agent.role": "product_manager" }) : undefined;
      const plan = planSchema.parse(json);
      expect(planGraphProblem(plan)).toBeNull();
    }
  });

  test("a conversation is picked by its first message, else the role's script", () => {
    const scenario = selectScenario(set, "Add a word count helper");
    const fix = scriptFor(set, scenario, "developer", "Fix the failing tests (attempt 1 of 2).\n\nTask: …");
    const first = scriptFor(set, scenario, "developer", "Task: Add a word count helper …");
    expect(fix).not.toEqual(first);
    expect(first).toBe(scenario.roles.developer);
    // A conversation no entry matches, of a role the scenario has no script for: the default scenario's.
    const parallel = selectScenario(set, "Add slugify and truncate helpers in parallel");
    expect(scriptFor(set, parallel, "developer", "Task: something else")).toBe(set.fallback.roles.developer);
    expect(set.fallback.roles.developer).toBeDefined();
  });

  test("a simulated price makes offline calls cost what it says; other scenarios stay free", async () => {
    expect(offlinePriceFor("Add a priority label helper (budget demo)", dir)).toEqual({ input: 100, output: 400 });
    expect(offlinePriceFor("Add a DELETE /todos/:id endpoint", dir)).toBeNull();
    const res = await callOffline(
      { agentRole: "tech_lead", task: { title: "Add a priority label helper (budget demo)", description: "" }, messages: [{ role: "user", content: "Review." }] },
      { scenarioDir: dir },
    );
    expect(res.costUsdMicros).toBe(res.usage.inputTokens * 100 + res.usage.outputTokens * 400);
    expect(res.offline).toBe(true);
  });
});
