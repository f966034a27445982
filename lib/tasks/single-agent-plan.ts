import { agentRoles } from "@/db/schema/agent-roles";
import { roleKind } from "@/lib/agents/roles";
import { AppError } from "@/lib/errors";
import type { TaskRun } from "./task-run";
import { savePlan, type StoredPlan } from "./workflow";

/** Key of the one subtask of a single-agent plan. */
export const SINGLE_AGENT_SUBTASK_KEY = "work";

/**
 * The plan of a `single_agent` squad (`squads.workflow`): no model call, one subtask — the whole task,
 * given to the squad's first builder in role order (`developer` first) — stored
 * like any plan (step `save-plan`), so the run, the task page and a retry work as for a squad's plan.
 * With no review subtask and `wrapUpRun` skipping the final review for this workflow, the builder is
 * the only agent that calls a model: the single-agent baseline of `npm run eval -- --baseline`.
 * @throws AppError `invalid_input` when the squad has no builder
 */
export async function singleAgentPlan(run: TaskRun): Promise<StoredPlan> {
  const roles = run.ctx.agents.map((a) => a.role);
  const builder = agentRoles.find((r) => roleKind(r) === "builder" && roles.includes(r));
  if (!builder) throw new AppError("invalid_input", "A single-agent squad needs a developer: add one in the squad's settings");
  const plan = {
    summary: "Single-agent run: one developer works the whole task (no plan, no review).",
    subtasks: [{ key: SINGLE_AGENT_SUBTASK_KEY, title: run.ctx.title, description: run.ctx.description, role: builder, dependsOn: [] }],
  };
  return run.rt.steps.run("save-plan", () => savePlan(run.ctx, run.runId, plan, { provider: "none", model: "single-agent", offline: false }));
}
