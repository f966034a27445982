import { NonRetriableError } from "inngest";
import { inngest } from "@/inngest/client";
import { taskAssigned, taskCancelled, taskCompleted } from "@/inngest/events";
import { escalateHook } from "@/lib/agents/escalate-hook";
import { budgetGuard, runBudgetOf, tracksSpend } from "@/lib/budgets/budget-guard";
import { recordEstimate } from "@/lib/budgets/record-estimate";
import { waitForRunSlot } from "@/lib/billing/run-slot";
import { askHook } from "@/lib/collaboration/ask-hook";
import { announceEnd, announceStart, deliverTask } from "@/lib/delivery";
import { AppError } from "@/lib/errors";
import { enforcePolicy } from "@/lib/policy/enforce-policy";
import { deliveryFacts } from "@/lib/policy/facts";
import { planTask } from "@/lib/tasks/plan-task";
import { singleAgentPlan } from "@/lib/tasks/single-agent-plan";
import { runPlan } from "@/lib/tasks/run-plan";
import { TaskStopped, type TaskRun } from "@/lib/tasks/task-run";
import { completeTask, failRun, failTask, prepareTaskWorkspace, startTask } from "@/lib/tasks/workflow";
import { wrapUpRun } from "@/lib/tasks/wrap-up-run";
import { workflowSteps } from "./steps";

/** Agent errors that a retry cannot fix (invalid plan, runaway tool loop) end the run at once. */
async function final<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (error instanceof AppError) throw new NonRetriableError(error.message, { cause: error });
    throw error;
  }
}

/**
 * The task workflow: the product manager plans (or, on a retry, the stored plan is reused) → the
 * cost of the plan is estimated and the squad's policy decides on it (maybe waiting for a person's
 * approval) → the plan's subtasks
 * run as a graph, independent ones in parallel, QA failures going back to a developer → test report,
 * patch and review → the policy decides on delivering the patch → completed (`squad/task.completed`).
 * A person rejecting an approval (or letting it expire) ends the task `cancelled` with the reason.
 * Crossing the task's (or the organization's monthly) budget pauses the run for approval, and so
 * does an agent stuck in a loop; agents can ask each other questions (`squad/agent.collaborate`).
 * A failed subtask blocks its dependents and fails the task; `POST /api/v1/tasks/{id}/retry` runs
 * only the failed and blocked subtasks again. Every model call and side effect is its own step, so
 * a run resumes where it stopped.
 */
export const taskWorkflow = inngest.createFunction(
  {
    id: "task-workflow",
    name: "Task workflow",
    triggers: [taskAssigned],
    retries: 3,
    // `POST /api/v1/tasks/{id}/cancel` marks the task cancelled, then stops its run between steps.
    cancelOn: [{ event: taskCancelled, if: "async.data.taskId == event.data.taskId" }],
    onFailure: async ({ event, error, step, runId }) => {
      const original = taskAssigned.schema.safeParse(event.data.event.data);
      if (!original.success) return;
      const scope = original.data;
      await step.run("status-end", () => announceEnd(scope, runId, { status: "failed", reason: error.message }));
      await step.run("mark-failed", () => failTask(scope, error.message, `${runId}:failed`));
      await step.sendEvent(
        "emit-failed",
        taskCompleted.create({ ...scope, status: "failed", patchArtifactId: null }),
      );
    },
  },
  async ({ event, step, runId }) => {
    const scope = { organizationId: event.data.organizationId, taskId: event.data.taskId };
    const steps = workflowSteps(step);

    // The plan's concurrent runs: beyond them the task stays queued until a run of the organization ends.
    await waitForRunSlot(steps, scope, runId);
    const ctx = await step.run("start", () => startTask(scope, runId));
    if (!ctx) return { skipped: true };
    // A missing folder, a folder that is no repository or one without commits will not fix itself: fail at once.
    const worktree = await step.run("prepare-workspace", () => final(prepareTaskWorkspace(ctx, runId)));
    const budget = runBudgetOf(ctx);
    const run: TaskRun = { ctx, runId, worktree, rt: { steps }, instructions: [], trackSpend: tracksSpend(budget) };
    run.rt.hooks = { afterModelCall: budgetGuard(run, budget), ask: askHook(run), escalate: escalateHook(run) };
    // Status back to where the task came from (GitHub issue, Jira issue): lib/delivery.
    await step.run("status-start", () => announceStart(scope, runId));

    try {
      // A `single_agent` squad skips planning: one builder takes the whole task (the eval's baseline).
      const plan = ctx.plan ?? (await final(ctx.workflow === "single_agent" ? singleAgentPlan(run) : planTask(run)));
      const projected = await step.run("estimate", () => recordEstimate(ctx, runId, plan));
      // Every run asks: a retry of a plan a person rejected must not skip their approval.
      await enforcePolicy(run, { key: "plan", facts: [{ action: "plan", projectedCostUsdMicros: projected }], resumeStatus: "running" });
      const result = await runPlan(run, plan);
      const failed = Object.keys(result.outcomes).filter((k) => result.outcomes[k] === "failed");
      const blocked = Object.keys(result.outcomes).filter((k) => result.outcomes[k] === "blocked");
      if (failed.length > 0 || blocked.length > 0) {
        await step.run("fail-run", () => failRun(ctx, runId, { failed, blocked }));
        await step.run("status-end", () => announceEnd(scope, runId, { status: "failed", reason: null }));
        await step.sendEvent("emit-failed", taskCompleted.create({ ...scope, status: "failed", patchArtifactId: null }));
        return { status: "failed", failed, blocked };
      }

      const patch = await final(wrapUpRun(run, result));
      await enforcePolicy(run, { key: "deliver", facts: deliveryFacts(patch), resumeStatus: "reviewing" });
      // Push and open/update the pull request (or whatever each channel does); a refusal fails the task, the patch stays.
      const { filesChanged, additions, deletions } = patch;
      await step.run("deliver", () =>
        final(deliverTask(scope, runId, { patch: { artifactId: patch.artifactId, filesChanged, additions, deletions }, worktree })),
      );
      // Status back first, so a task shown completed has told its source (PR link on the issue).
      await step.run("status-end", () => announceEnd(scope, runId, { status: "completed", reason: null }));
      await step.run("complete", () =>
        completeTask(ctx, runId, `Task completed: ${patch.artifactId ? `patch touches ${patch.filesChanged.length} file(s)` : "no code changes"}`),
      );
      await step.sendEvent(
        "emit-completed",
        taskCompleted.create({ ...scope, status: "completed", patchArtifactId: patch.artifactId }),
      );
      return { status: "completed", patchArtifactId: patch.artifactId };
    } catch (error) {
      if (!(error instanceof TaskStopped)) throw error;
      await step.run("status-end", () => announceEnd(scope, runId, { status: error.status, reason: error.reason }));
      await step.sendEvent("emit-stopped", taskCompleted.create({ ...scope, status: error.status, patchArtifactId: null }));
      return { status: error.status, reason: error.reason };
    }
  },
);
