import { reviewPrompt } from "@/lib/agents/prompts";
import { runStructuredAgent } from "@/lib/agents/run-agent";
import { reviewSchema } from "@/lib/llm/schemas";
import { runTests } from "@/lib/workspace";
import type { PlanRunResult } from "./run-plan";
import { agentContextFor, type TaskRun } from "./task-run";
import { savePatch, saveReview, saveTestReport, type PatchResult } from "./workflow";

/**
 * After every subtask completed: makes sure the task has a test report (runs the suite, step
 * `run-tests`, when the plan had no QA subtask), stores the patch (step `save-patch`: commit on the
 * task's branch + `patch` artifact) and makes sure it has a review (the tech lead, steps `review/…`,
 * when the plan had no review subtask and the squad's workflow is not `single_agent`, which has no review).
 * @returns the stored patch (artifact id null when nothing changed)
 */
export async function wrapUpRun(run: TaskRun, result: PlanRunResult): Promise<PatchResult> {
  const { steps } = run.rt;
  const { ctx, worktree } = run;
  let tests = result.tests;
  if (!tests && worktree && ctx.repository) {
    const testCommand = ctx.repository.testCommand;
    const ran = await steps.run("run-tests", () => runTests(worktree.path, testCommand));
    await steps.run("save-test-report", () =>
      saveTestReport(ctx, run.runId, { ran: true, passed: ran.passed, exitCode: ran.exitCode, durationMs: ran.durationMs, output: ran.output, summary: null }),
    );
    tests = { ran: true, passed: ran.passed, summary: null };
  }
  const patch: PatchResult = worktree
    ? await steps.run("save-patch", () => savePatch(ctx, run.runId, worktree))
    : { artifactId: null, diff: "", filesChanged: [], additions: 0, deletions: 0 };
  if (!result.reviewed && ctx.workflow !== "single_agent") {
    const reviewer = ctx.agents.some((a) => a.role === "tech_lead") ? "tech_lead" : (ctx.agents[0]?.role ?? "tech_lead");
    const { value: review, result: reviewed } = await runStructuredAgent(run.rt, agentContextFor(run, reviewer), {
      stepPrefix: "review",
      prompt: reviewPrompt(ctx, {
        diff: patch.diff,
        developerSummary: result.builderSummaries.join("\n\n") || null,
        testsPassed: tests?.passed ?? false,
        testSummary: tests?.summary ?? null,
        instructions: run.instructions,
      }),
      name: "review",
      schema: reviewSchema,
    });
    await steps.run("save-review", () => saveReview(ctx, run.runId, review, reviewed.model, reviewer));
  }
  return patch;
}
