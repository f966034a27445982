import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, test } from "@jest/globals";
import { judgePatch } from "@/eval/harness/judge";
import { diffOnly, loadTasks, manifestSchema, TASKS_DIR } from "@/eval/harness/tasks";

// The vendored eval tasks (eval/tasks/*, made by eval/vendor-tasks.sh) are sound: every manifest
// validates, its hidden test exists and is not in the repository the agent sees, and the judge the
// harness uses says "unresolved" for the code as vendored and "resolved" for the upstream fix.

const workDir = mkdtempSync(path.join(tmpdir(), "squadron-eval-tasks-"));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

const tasks = loadTasks();

test("5 or more tasks, each with a valid manifest, a hidden test kept out of repo/, and an upstream patch", () => {
  expect(tasks.length).toBeGreaterThanOrEqual(5);
  expect(readdirSync(TASKS_DIR).sort()).toEqual(tasks.map((t) => t.id));
  for (const task of tasks) {
    const { dir, repoDir, hiddenFiles, upstreamPatch, ...manifest } = task;
    expect(manifestSchema.parse(manifest)).toEqual(manifest);
    expect(hiddenFiles.length).toBeGreaterThan(0);
    expect(readdirSync(repoDir, { recursive: true, encoding: "utf8" })).not.toEqual(expect.arrayContaining(task.hidden));
    expect(diffOnly(upstreamPatch)).toMatch(/^diff --git a\//);
    expect(dir).toBe(path.join(TASKS_DIR, task.id));
  }
});

describe.each(tasks.map((t) => [t.id, t] as const))("%s", (_id, task) => {
  test("unfixed: the hidden test fails while the repository's own tests pass", async () => {
    const verdict = await judgePatch(task, null, { workDir, timeoutMs: 30_000 });
    expect(verdict).toMatchObject({ resolved: false, patchApplied: true, suitePassed: true, hiddenPassed: false, reason: "the hidden test fails" });
  });

  test("the upstream fix resolves it", async () => {
    const verdict = await judgePatch(task, diffOnly(task.upstreamPatch), { workDir, timeoutMs: 30_000 });
    expect(verdict).toMatchObject({ resolved: true, patchApplied: true, suitePassed: true, hiddenPassed: true, reason: "resolved" });
  });
});

test("a patch that does not apply is unresolved, and says so", async () => {
  const task = tasks[0]!;
  const verdict = await judgePatch(task, "diff --git a/nope.js b/nope.js\n--- a/nope.js\n+++ b/nope.js\n@@ -1 +1 @@\n-a\n+b\n", { workDir });
  expect(verdict).toMatchObject({ resolved: false, patchApplied: false, reason: "the patch does not apply" });
});
