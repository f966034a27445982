import type { TaskStatus } from "@/db/schema";
import { awaitApproval } from "@/lib/approvals/await-approval";
import { TaskStopped, type TaskRun } from "@/lib/tasks/task-run";
import { failTask } from "@/lib/tasks/workflow";
import { decidePolicy } from "./decide-policy";
import type { PolicyDecision, PolicyFacts } from "./evaluate-policy";

/**
 * Applies the squad's policy to an action of the run (steps `policy/<key>…`): allowed actions go on;
 * a refused one ends the task `failed` with the reason; one that needs approval waits for a person
 * ({@link awaitApproval}), whose instructions are added to the run's instructions for later agents.
 *
 * @returns the decision that let the run go on
 * @throws TaskStopped when the policy refused the action, or a person rejected it / let it expire
 */
export async function enforcePolicy(
  run: TaskRun,
  input: { key: string; facts: PolicyFacts[]; resumeStatus: TaskStatus },
): Promise<PolicyDecision> {
  const { steps } = run.rt;
  const decision = await steps.run(`policy/${input.key}`, () => decidePolicy(run.ctx, run.runId, input.key, input.facts));
  if (decision.decision === "allow") return decision;
  if (decision.decision === "deny") {
    const reason = `Policy refused ${decision.action.replace("_", " ")}: ${decision.reason}`;
    await steps.run(`policy/${input.key}/deny`, () => failTask(run.ctx, reason, `${run.runId}:policy:${input.key}:denied`));
    throw new TaskStopped("failed", reason);
  }
  const kind = decision.action;
  // MCP tool calls are decided in the agent loop (`lib/mcp-client/agent-tools.ts`), never here.
  if (kind === "mcp_tool") throw new Error("enforcePolicy decides workflow actions, not MCP tool calls");
  const instructions = await awaitApproval(run, {
    key: input.key,
    kind,
    reason: decision.reason,
    requestedBy: "system",
    details: { action: decision.action, ruleId: decision.ruleId, facts: input.facts },
    resumeStatus: input.resumeStatus,
  });
  if (instructions) run.instructions.push(instructions);
  return decision;
}
