import { describe, expect, test } from "@jest/globals";
import { firstFailureLine, type LessonCandidate } from "@/lib/lessons/collect-lesson-sources";
import { distilByRules, distilLessons, hasConfiguredModel } from "@/lib/lessons/distil-lessons";
import type { LlmSettings } from "@/lib/llm/settings";

const offline: LlmSettings = {
  openai: { defaultModel: "gpt-4.1-mini" },
  anthropic: { defaultModel: "claude-sonnet-4-5" },
  timeoutMs: 1_000,
  offlineLatencyMs: 0,
};

const candidate = (over: Partial<LessonCandidate>): LessonCandidate => ({
  sourceKind: "approval_rejected",
  sourceId: "a1",
  role: null,
  excerpt: "",
  context: "Ann rejected the plan of the task",
  sourceUrl: "/tasks/t1",
  ...over,
});

/** The deterministic distiller the offline default uses (no model key). */
describe("lesson distillation by rules", () => {
  test("a person's words become the statement, as a sentence", () => {
    const [lesson] = distilByRules([candidate({ excerpt: "always name columns in snake_case" })]);
    expect(lesson).toMatchObject({ statement: "Always name columns in snake_case.", distilledBy: "rules", sourceUrl: "/tasks/t1" });
  });

  test("mentions and quoting go, long text is cut at a sentence, whitespace-only text teaches nothing", () => {
    const long = `@squadron please use the repository's logger. ${"Then explain why at length. ".repeat(20)}`;
    const [a, b] = distilByRules([candidate({ excerpt: long }), candidate({ sourceId: "a2", excerpt: "> keep PRs small!" })]);
    expect(a.statement.startsWith("Please use the repository's logger.")).toBe(true);
    expect(a.statement.length).toBeLessThanOrEqual(300);
    expect(a.statement.endsWith(".")).toBe(true);
    expect(b.statement).toBe("Keep PRs small!");
    expect(distilByRules([candidate({ excerpt: "   " })])).toEqual([]);
  });

  test("a fixed QA failure names the failing test", () => {
    const output = "> jest\n\nPASS src/a.test.js\nFAIL src/todos.test.js\n  ✕ DELETE /todos/:id returns 204 (12 ms)\n";
    expect(firstFailureLine(output)).toBe("✕ DELETE /todos/:id returns 204 (12 ms)");
    expect(firstFailureLine("FAIL src/x.test.js\nsomething")).toBe("FAIL src/x.test.js");
    const [lesson] = distilByRules([candidate({ sourceKind: "qa_fix", excerpt: firstFailureLine(output), role: "developer" })]);
    expect(lesson.statement).toBe("Before handing over, make sure the tests pass; they failed here before with: ✕ DELETE /todos/:id returns 204 (12 ms)");
    expect(lesson.role).toBe("developer");
  });

  test("without a model key no model is called", async () => {
    expect(hasConfiguredModel(offline)).toBe(false);
    expect(hasConfiguredModel({ ...offline, openai: { ...offline.openai, apiKey: "sk-x" } })).toBe(true);
    const result = await distilLessons(
      { organizationId: "o", taskId: "t", repositoryId: null, task: { title: "T", description: "" }, candidates: [candidate({ excerpt: "prefer small functions" })] },
      { settings: offline },
    );
    expect(result.response).toBeNull();
    expect(result.lessons.map((l) => l.statement)).toEqual(["Prefer small functions."]);
  });
});
