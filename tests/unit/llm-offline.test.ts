import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import {
  assistantMessage,
  generate,
  planSchema,
  reviewSchema,
  settingsFromEnv,
  type AgentRole,
  type ChatMessage,
  type LlmSettings,
  type ModelResponse,
} from "@/lib/llm";
import { loadScenarios } from "@/lib/llm/offline/scenario";
import {
  collectPatch,
  ensureExampleRepository,
  executeTool,
  noteSeenInFull,
  prepareWorktree,
  workspaceTools,
} from "@/lib/workspace";

// No provider keys: every route resolves to the offline model.
const offlineSettings: LlmSettings = {
  ...settingsFromEnv(),
  openai: { defaultModel: "gpt-4.1-mini" },
  anthropic: { defaultModel: "claude-sonnet-5-5" },
  offlineLatencyMs: 0,
};

const deleteTask = { title: "Add a DELETE /todos/:id endpoint", description: "Let clients delete a todo." };
const otherTask = { title: "Add dark mode", description: "A dark theme for the dashboard." };

function ask(agentRole: AgentRole, task: { title: string; description: string }, messages: ChatMessage[], extra = {}) {
  return generate([], { agentRole, task, messages, ...extra }, { settings: offlineSettings });
}

/** The tool loop an agent runs: call the model, execute its tool calls, feed results back, until it stops. */
async function runAgent(
  role: AgentRole,
  task: { title: string; description: string },
  ctx: { worktree: string; testCommand: string },
): Promise<{ responses: ModelResponse[]; messages: ChatMessage[] }> {
  const messages: ChatMessage[] = [
    { role: "system", content: `You are the ${role}.` },
    { role: "user", content: `${task.title}\n\n${task.description}` },
  ];
  const responses: ModelResponse[] = [];
  const seenInFull = new Set<string>();
  for (let turn = 0; turn < 10; turn++) {
    const res = await ask(role, task, messages, { tools: workspaceTools });
    responses.push(res);
    messages.push(assistantMessage(res));
    if (res.toolCalls.length === 0) return { responses, messages };
    for (const call of res.toolCalls) {
      const result = await executeTool({ ...ctx, seenInFull }, call);
      noteSeenInFull(seenInFull, call, result);
      messages.push({ role: "tool", toolCallId: call.id, name: call.name, content: result.output });
    }
  }
  throw new Error(`${role} did not finish within 10 turns`);
}

let dataDir: string;
beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), "squadron-offline-"));
});
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

describe("offline scenario: Add a DELETE /todos/:id endpoint", () => {
  test("the product manager returns a plan that parses, labelled as offline and free", async () => {
    const res = await ask("product_manager", deleteTask, [{ role: "user", content: "Plan this task." }]);
    expect(res).toMatchObject({ provider: "offline", model: "offline-scripted", offline: true, costUsdMicros: 0 });
    const plan = planSchema.parse(JSON.parse(res.content ?? ""));
    expect(plan.subtasks.map((s) => [s.key, s.role, s.dependsOn])).toEqual([
      ["implement-delete", "developer", []],
      ["run-tests", "qa_engineer", ["implement-delete"]],
      ["review", "tech_lead", ["run-tests"]],
    ]);
  });

  test("developer reads, writes a working change with a test, then summarises; QA runs the tests and they pass", async () => {
    const repo = await ensureExampleRepository(dataDir);
    const wt = await prepareWorktree({ repoPath: repo, dataDir, taskId: "offline-delete", baseBranch: "main" });
    const ctx = { worktree: wt.path, testCommand: "npm test" };

    const dev = await runAgent("developer", deleteTask, ctx);
    expect(dev.responses.map((r) => r.toolCalls.map((c) => c.name))).toEqual([
      ["read_file"],
      ["write_file", "write_file"],
      [],
    ]);
    expect(dev.responses[0]?.toolCalls[0]?.arguments).toEqual({ path: "src/app.js" });
    expect(dev.responses[1]?.toolCalls.map((c) => c.arguments.path)).toEqual(["src/app.js", "test/delete-todo.test.js"]);
    expect(dev.responses[2]?.content).toMatch(/DELETE \/todos\/:id/);
    expect(dev.responses.every((r) => r.offline && r.costUsdMicros === 0)).toBe(true);

    const patch = await collectPatch(wt.path, wt.baseCommit);
    expect(patch.filesChanged.sort()).toEqual(["src/app.js", "test/delete-todo.test.js"]);
    expect(patch.diff).toMatch(/\+\s+if \(req\.method === "DELETE"\)/);

    const qa = await runAgent("qa_engineer", deleteTask, ctx);
    expect(qa.responses[0]?.toolCalls.map((c) => c.name)).toEqual(["run_tests"]);
    const report = qa.messages.find((m): m is Extract<ChatMessage, { role: "tool" }> => m.role === "tool");
    expect(report?.content).toMatch(/^status: passed/);
    expect(report?.content).toMatch(/DELETE \/todos\/:id/); // the new test ran
    expect(report?.content).toMatch(/# fail 0/);
    expect(qa.responses.at(-1)?.content).toMatch(/All tests passed/);
  });

  test("QA's summary follows the test result it was given", async () => {
    const res = await ask("qa_engineer", deleteTask, [
      { role: "user", content: "Test it." },
      { role: "assistant", content: null, toolCalls: [{ id: "t1", name: "run_tests", arguments: {} }] },
      { role: "tool", toolCallId: "t1", name: "run_tests", content: "status: failed (exit code 1, 80 ms)\n# fail 1" },
    ]);
    expect(res.content).toMatch(/did not pass/);
    expect(res.toolCalls).toEqual([]);
  });

  test("the tech lead approves with a review that parses", async () => {
    const res = await ask("tech_lead", deleteTask, [{ role: "user", content: "Review." }]);
    expect(reviewSchema.parse(JSON.parse(res.content ?? ""))).toMatchObject({ verdict: "approve", comments: [] });
  });

  test("the title matches case-insensitively, surrounding spaces ignored", async () => {
    const res = await ask("developer", { title: "  add a delete /TODOS/:id ENDPOINT ", description: "" }, [
      { role: "user", content: "Go." },
    ]);
    expect(res.toolCalls.map((c) => c.name)).toEqual(["read_file"]);
  });
});

describe("offline default scenario (any other task)", () => {
  test("the plan interpolates the task title and says it is a template", async () => {
    const res = await ask("product_manager", otherTask, [{ role: "user", content: "Plan." }]);
    const plan = planSchema.parse(JSON.parse(res.content ?? ""));
    expect(plan.summary).toMatch(/no model is configured/);
    expect(plan.subtasks.map((s) => s.title)).toEqual([
      "Implement: Add dark mode",
      "Test: Add dark mode",
      "Review: Add dark mode",
    ]);
    expect(plan.subtasks[0]?.description).toBe("A dark theme for the dashboard.");
  });

  test("the developer says plainly that no code was written, and calls no tools", async () => {
    const res = await ask("developer", otherTask, [{ role: "user", content: "Implement." }], { tools: workspaceTools });
    expect(res.toolCalls).toEqual([]);
    expect(res.finishReason).toBe("stop");
    expect(res.content).toMatch(/No code was written for "Add dark mode"/);
    expect(res.content).toMatch(/OPENAI_API_KEY or ANTHROPIC_API_KEY/);
  });

  test("QA runs the tests, then says the result only reflects the unchanged repository", async () => {
    const first = await ask("qa_engineer", otherTask, [{ role: "user", content: "Test." }]);
    expect(first.toolCalls).toEqual([{ id: expect.any(String), name: "run_tests", arguments: {} }]);
    const second = await ask("qa_engineer", otherTask, [
      { role: "user", content: "Test." },
      assistantMessage(first),
      { role: "tool", toolCallId: first.toolCalls[0]?.id ?? "", name: "run_tests", content: "status: passed (exit code 0, 5 ms)" },
    ]);
    expect(second.content).toMatch(/existing test suite passed.*No code was written/);
  });

  test("the tech lead comments that no code was written because no model is configured", async () => {
    const res = await ask("tech_lead", otherTask, [{ role: "user", content: "Review." }]);
    const review = reviewSchema.parse(JSON.parse(res.content ?? ""));
    expect(review.verdict).toBe("comment");
    expect(review.summary).toMatch(/No code was written/);
    expect(review.summary).toMatch(/OPENAI_API_KEY or ANTHROPIC_API_KEY/);
  });
});

describe("offline model mechanics", () => {
  test("usage is ceil(chars / 4) of prompt and reply", async () => {
    const res = await ask("developer", otherTask, [
      { role: "system", content: "x".repeat(10) },
      { role: "user", content: "y".repeat(7) },
    ]);
    expect(res.usage.inputTokens).toBe(Math.ceil(17 / 4));
    expect(res.usage.outputTokens).toBe(Math.ceil((res.content ?? "").length / 4));
  });

  test("past the end of its script the model stops instead of looping", async () => {
    const res = await ask("tech_lead", otherTask, [
      { role: "user", content: "Review." },
      { role: "assistant", content: "{}" },
      { role: "user", content: "Again?" },
    ]);
    expect(res.toolCalls).toEqual([]);
    expect(res.content).toMatch(/no further turns/);
  });

  test("each call waits OFFLINE_MODEL_LATENCY_MS", async () => {
    const res = await generate(
      [],
      { agentRole: "tech_lead", task: otherTask, messages: [{ role: "user", content: "Review." }] },
      { settings: { ...offlineSettings, offlineLatencyMs: 60 } },
    );
    expect(res.latencyMs).toBeGreaterThanOrEqual(59);
  });

  test("the bundled scenarios load and validate", () => {
    const set = loadScenarios();
    expect(set.fallback.name).toBe("default");
    expect([...set.byTitle.keys()]).toContain("add a delete /todos/:id endpoint");
  });

  test("a broken scenario is refused with its file name", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "squadron-scenarios-"));
    try {
      const fallback = { name: "d", default: true, roles: { developer: [{ content: "hi" }] } };
      await writeFile(path.join(dir, "default.json"), JSON.stringify(fallback));
      await writeFile(
        path.join(dir, "typo.json"),
        JSON.stringify({ name: "t", match_titles: ["X"], roles: { developer: [{ content: "{{task.titel}}" }] } }),
      );
      expect(() => loadScenarios(dir)).toThrow(/typo\.json: unknown placeholder \{\{task\.titel\}\}/);
      await writeFile(
        path.join(dir, "typo.json"),
        JSON.stringify({ name: "t", match_titles: ["X"], roles: { developer: [{ contnet: "hi" }] } }),
      );
      expect(() => loadScenarios(dir)).toThrow(/typo\.json is invalid/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
