import type { KnowledgeHit } from "@/lib/knowledge/types";
import { MAX_TOOL_RESULT_CHARS } from "@/lib/workspace/tools/shared";
import { knowledgeResultText } from "@/lib/workspace/tools/search-knowledge";

function hit(n: number, textChars: number): KnowledgeHit {
  return {
    source: n % 2 === 0 ? "code" : "document",
    sourceId: `src-${n}`,
    path: `src/file-${n}.ts`,
    startLine: n * 10 + 1,
    endLine: n * 10 + 9,
    score: 1 / (60 + n),
    text: `// chunk ${n}\n${"x".repeat(textChars)}`,
    language: "typescript",
    repositoryId: null,
  };
}

describe("search_knowledge output", () => {
  test("says plainly when nothing was found", () => {
    expect(knowledgeResultText("rate limits", [])).toMatch(/^No knowledge found for "rate limits"/);
  });

  test("cites each hit as [path:start-end] (source), best first", () => {
    const text = knowledgeResultText("todos", [hit(1, 20), hit(2, 20)]);
    expect(text.split("\n")[0]).toBe('2 results for "todos" (best first; cite them as path:start-end):');
    expect(text).toContain("[src/file-1.ts:11-19] (document)\n// chunk 1");
    expect(text).toContain("[src/file-2.ts:21-29] (code)\n// chunk 2");
    expect(text.indexOf("file-1")).toBeLessThan(text.indexOf("file-2"));
    expect(text).not.toContain("more");
  });

  test("stays within the tool output bound and names the hits it left out", () => {
    const hits = Array.from({ length: 20 }, (_, i) => hit(i, 3_000));
    const text = knowledgeResultText("everything", hits);
    expect(text.length).toBeLessThanOrEqual(MAX_TOOL_RESULT_CHARS);
    const shown = (text.match(/^\[src\/file-\d+\.ts:\d+-\d+\] \((code|document)\)$/gm) ?? []).length;
    expect(shown).toBeGreaterThan(0);
    expect(shown).toBeLessThan(20);
    expect(text).toContain(`… ${20 - shown} more (not shown, too long): src/file-${shown}.ts:${shown * 10 + 1}-${shown * 10 + 9}`);
    // A small bound still holds.
    expect(knowledgeResultText("everything", hits, 1_000).length).toBeLessThanOrEqual(1_000);
  });
});

describe("knowledge in briefs", () => {
  const ctx = {
    organizationId: "org_1",
    taskId: "task_1",
    title: "Add rate limiting",
    description: "Limit each client to 100 requests a minute.",
    squadId: "squad_1",
    attempt: 0,
    repository: { id: "repo_1", name: "todo-api", localPath: "/tmp/x", testCommand: "npm test", defaultBranch: "main" },
    agents: [
      { role: "product_manager", name: "PM", modelRoute: [], instructions: null, systemPrompt: null, routeConstraints: {} },
      { role: "developer", name: "Dev", modelRoute: [], instructions: null, systemPrompt: null, routeConstraints: {} },
    ],
    plan: null,
    budget: { taskUsdMicros: null, organizationMonthlyUsdMicros: null },
  } as unknown as import("@/lib/tasks/workflow").TaskRunContext;
  const subtask = { key: "impl", title: "Rate limiter", description: "Add the middleware", role: "developer" as const };

  test("without knowledge the briefs are unchanged; with it they carry the heading and the citations", async () => {
    const { KNOWLEDGE_HEADING, planPrompt, subtaskPrompt } = await import("@/lib/agents/prompts");
    const { formatBriefKnowledge } = await import("@/lib/knowledge/brief");
    expect(formatBriefKnowledge([])).toBe("");
    expect(planPrompt(ctx, { knowledge: "" })).toBe(planPrompt(ctx));
    expect(planPrompt(ctx, { lessons: [], knowledge: formatBriefKnowledge([]) })).toBe(planPrompt(ctx, {}));
    const base = { planSummary: "Limit requests", subtask, done: [], instructions: [] };
    expect(subtaskPrompt(ctx, { ...base, knowledge: "" })).toBe(subtaskPrompt(ctx, base));

    const knowledge = formatBriefKnowledge([hit(1, 30)]);
    const plan = planPrompt(ctx, { knowledge });
    expect(plan).toContain(`${KNOWLEDGE_HEADING}\n[src/file-1.ts:11-19] (document)\n// chunk 1`);
    expect(plan.endsWith("review (tech_lead) last.")).toBe(true);
    const brief = subtaskPrompt(ctx, { ...base, knowledge, repositoryMap: "src/\n  app.ts" });
    expect(brief).toContain(`${KNOWLEDGE_HEADING}\n[src/file-1.ts:11-19] (document)`);
    // The repository map stays last.
    expect(brief.indexOf(KNOWLEDGE_HEADING)).toBeLessThan(brief.indexOf("src/\n  app.ts"));
  });
});
