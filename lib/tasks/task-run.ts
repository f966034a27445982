import type { AgentRole } from "@/db/schema";
import type { AgentContext, AgentRuntime } from "@/lib/agents/run-agent";
import { roleDefinitions } from "@/lib/agents/roles";
import type { TaskRunContext, Worktree } from "./workflow";

/**
 * One run of the task workflow as domain code sees it: the task's context, the run id (which keys
 * the ledger and the timeline's idempotency), the worktree, the agent runtime (durable steps and the
 * workflow's hooks) and the instructions people gave along the way.
 *
 * `instructions` only grows from memoized step results, so it is the same on every replay.
 */
export type TaskRun = {
  ctx: TaskRunContext;
  runId: string;
  worktree: Worktree | null;
  rt: AgentRuntime;
  instructions: string[];
  /** Whether agents report spend after each model call (the run has a task or organization budget). */
  trackSpend?: boolean;
};

/**
 * Thrown when the run must end early and the task has already been marked with its final status
 * and reason: `cancelled` (a person rejected an approval, or it expired) or `failed` (the policy
 * refused an action). The workflow ends without failing the run.
 */
export class TaskStopped extends Error {
  constructor(
    readonly status: "cancelled" | "failed",
    readonly reason: string,
  ) {
    super(reason);
    this.name = "TaskStopped";
  }
}

/** The agent context of `role` in this run (its squad's route, persona overrides, teammates). */
export function agentContextFor(
  run: TaskRun,
  role: AgentRole,
  subtask?: { id: string; key: string } | null,
): AgentContext {
  const { ctx } = run;
  const agent = ctx.agents.find((a) => a.role === role);
  return {
    organizationId: ctx.organizationId,
    taskId: ctx.taskId,
    runId: run.runId,
    task: { title: ctx.title, description: ctx.description },
    role,
    modelRoute: agent && agent.modelRoute.length > 0 ? agent.modelRoute : [...roleDefinitions[role].defaultRoute],
    tier: roleDefinitions[role].tier,
    constraints: agent?.routeConstraints ?? {},
    instructions: agent?.instructions ?? null,
    systemPrompt: agent?.systemPrompt ?? null,
    repositoryId: ctx.repository?.id ?? null,
    workspace: run.worktree && ctx.repository ? { path: run.worktree.path, testCommand: ctx.repository.testCommand } : null,
    subtask: subtask ?? null,
    teammates: ctx.agents.map((a) => a.role).filter((r) => r !== role),
    trackSpend: run.trackSpend ?? false,
    toolOverrides: agent?.toolOverrides ?? {},
    maxTurns: agent?.maxTurns ?? null,
    maxRunTokens: agent?.maxRunTokens ?? null,
    squadId: ctx.squadId,
  };
}
