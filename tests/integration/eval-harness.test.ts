import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, expect, test } from "@jest/globals";
import { formatSelfCheckReport, writeSection } from "@/eval/harness/report";
import { runSelfCheck, type SelfCheckResult } from "@/eval/harness/self-check";
import { loadTask } from "@/eval/harness/tasks";

// `npm run eval`'s self-check (what it runs with no model key) on one vendored task, through the whole
// pipeline: an isolated Squadron (embedded PGlite, the app's route handlers, the local executor), a
// signed-up user and their default squad, the task's repository registered by path, the task created
// with `repositoryId`, the squad workflow (offline planner, QA and reviewer; the developer scripted
// through the real `openai` client against the replayer), the patch artifact, and the judge's hidden test.

const workDir = mkdtempSync(path.join(tmpdir(), "squadron-eval-harness-"));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

let result: SelfCheckResult;

test("the developer applying the upstream fix is judged resolved; changing nothing is judged unresolved", async () => {
  const task = loadTask("ms-negative-decimals");
  const started = Date.now();
  const { results, dataDir } = await runSelfCheck([task]);
  expect(Date.now() - started).toBeLessThan(90_000);
  expect(results).toHaveLength(1);
  result = results[0]!;
  expect(result.problems).toEqual([]);
  expect(result.ok).toBe(true);
  expect(dataDir).toMatch(/squadron-eval-self-check-/);

  const { fixed, unchanged } = result;
  expect(fixed).toMatchObject({ task: task.id, mode: "squad", status: "completed", outcome: "delivered", resolved: true });
  expect(fixed.verdict).toEqual({ patchApplied: true, hiddenPassed: true, suitePassed: true, reason: "resolved" });
  expect(fixed.patchLines).toBeGreaterThan(0);
  expect(unchanged).toMatchObject({ task: task.id, mode: "squad", status: "completed", outcome: "no_changes", resolved: false, patchLines: 0 });
  expect(unchanged.verdict).toEqual({ patchApplied: true, hiddenPassed: false, suitePassed: true, reason: "the hidden test fails" });

  // The per-task figures: cost, tokens, wall time, turns, tool calls, approvals, the models used.
  for (const r of [fixed, unchanged]) {
    expect(r.taskId).toMatch(/^[0-9a-f-]{36}$/);
    expect(r.costUsd).toBeGreaterThan(0); // the developer's calls, priced as gpt-4.1-mini
    expect(r.inputTokens).toBeGreaterThan(0);
    expect(r.outputTokens).toBeGreaterThan(0);
    expect(r.wallMs).toBeGreaterThan(0);
    expect(r.modelCalls).toBeGreaterThanOrEqual(4); // plan, developer, QA, review at least
    expect(r.approvals).toBe(0); // the default squad is autonomous
    expect(r.models).toEqual(expect.arrayContaining(["openai/gpt-4.1-mini", "offline/offline-scripted"]));
  }
  // The scripted developer: two turns (apply_patch, then a summary) against one (an answer, no change).
  expect(fixed.modelCalls).toBe(unchanged.modelCalls + 1);
  expect(fixed.toolCalls).toBeGreaterThan(unchanged.toolCalls); // apply_patch (+ QA's run_tests in both)
}, 120_000);

test("the self-check's section of EVALS.md is written without touching the model results", () => {
  const file = path.join(workDir, "EVALS.md");
  writeFileSync(file, "# Evaluations\n\n<!-- eval:model -->\nmodel table\n<!-- /eval:model -->\n");
  const report = formatSelfCheckReport([result], { date: "2026-01-01" });
  expect(report).toMatch(/Result: \*\*pass\*\*/);
  expect(report).toMatch(/ms-negative-decimals — upstream fix applied \| squad \| \*\*yes\*\*/);
  expect(report).toMatch(/ms-negative-decimals — nothing changed \| squad \| no — the hidden test fails/);
  writeSection(file, "self-check", report, "");
  writeSection(file, "self-check", report, ""); // replaced, not appended twice
  const text = readFileSync(file, "utf8");
  expect(text).toContain("<!-- eval:model -->\nmodel table\n<!-- /eval:model -->");
  expect(text.match(/<!-- eval:self-check -->/g)).toHaveLength(1);
  expect(text).toContain(report);
});
