import type { AgentRole, TaskStatus } from "@/db/schema";
import { awaitApproval } from "@/lib/approvals/await-approval";
import type { TaskRun } from "@/lib/tasks/task-run";
import { roleKind } from "./roles";
import type { AgentHooks } from "./run-agent";

const resumeStatusOf = (role: AgentRole): TaskStatus => {
  const kind = roleKind(role);
  return kind === "planner" ? "planning" : kind === "tester" ? "testing" : kind === "reviewer" ? "reviewing" : "running";
};

/**
 * The `escalate` hook of a run's agents: an agent stuck in a loop (see `StuckDetector`) stops and a
 * person is asked (approval of kind `stuck_loop`, steps `<stuck step>/approval/…`) instead of the loop
 * going on. Approving lets the agent continue with the person's comment as its instructions;
 * rejecting (or no decision in time) cancels the task.
 */
export function escalateHook(run: TaskRun): NonNullable<AgentHooks["escalate"]> {
  return ({ stepId, role, reason }) =>
    awaitApproval(run, {
      key: `stuck:${stepId}`,
      stepPrefix: `${stepId}/approval`,
      kind: "stuck_loop",
      reason: `${reason} It was stopped so that it does not burn money in a loop. Approve (with instructions) to let it go on, or reject to cancel the task.`,
      requestedBy: role,
      details: { stepId, role },
      resumeStatus: resumeStatusOf(role),
    });
}
