import type { AgentRole, TaskStatus } from "@/db/schema";
import { roleKind } from "@/lib/agents/roles";
import type { AgentHooks } from "@/lib/agents/run-agent";
import { awaitApproval } from "@/lib/approvals/await-approval";
import type { TaskRun } from "@/lib/tasks/task-run";
import { planSpendGuard } from "@/lib/billing/spend-guard";
import { raiseTaskBudget } from "./raise-task-budget";
import { formatUsd, monthStart } from "./usd";

/**
 * What a run knows about its budgets (USD micros). Mutable run state that changes only on memoized
 * approval outcomes, so replays see the same values.
 */
export type RunBudget = {
  /** The task's current budget (null = none). */
  taskUsdMicros: number | null;
  /** The task's budget when the run started: each approval to go over it adds this much again. */
  baseTaskUsdMicros: number | null;
  /** How many times a person let the task go over its budget in this run. */
  raises: number;
  /** The organization's monthly budget (null = none). */
  organizationMonthlyUsdMicros: number | null;
  /** A person let this run go on past the organization's monthly budget. */
  organizationApproved: boolean;
};

/** The run's budget state from its context. */
export function runBudgetOf(ctx: TaskRun["ctx"]): RunBudget {
  return {
    taskUsdMicros: ctx.budget.taskUsdMicros,
    baseTaskUsdMicros: ctx.budget.taskUsdMicros,
    raises: 0,
    organizationMonthlyUsdMicros: ctx.budget.organizationMonthlyUsdMicros,
    organizationApproved: false,
  };
}

/** Whether the run needs spend reports after each model call (some budget applies). */
export function tracksSpend(budget: RunBudget): boolean {
  return budget.taskUsdMicros !== null || budget.organizationMonthlyUsdMicros !== null;
}

const resumeStatusOf = (role: AgentRole): TaskStatus => {
  const kind = roleKind(role);
  return kind === "planner" ? "planning" : kind === "tester" ? "testing" : kind === "reviewer" ? "reviewing" : "running";
};

/**
 * The budget guard, run after every model call (`afterModelCall`): when the task's spend crosses its
 * budget, or the organization's spend this month crosses its monthly budget, the run pauses
 * (`awaiting_approval`, an approval of kind `budget`) instead of stopping. Approving raises the
 * task's budget by its starting amount (or lets the run past the organization's budget); the
 * approver's comment becomes instructions for later agents. Rejecting or letting it expire cancels
 * the task ({@link awaitApproval}). Steps: `<model step>/budget/…`.
 */
export function budgetGuard(run: TaskRun, budget: RunBudget): NonNullable<AgentHooks["afterModelCall"]> {
  return async ({ stepId, role, spend }) => {
    // The plan's spend limit (billing on only): lib/billing/spend-guard.ts.
    await planSpendGuard(run, { stepId, role, resumeStatus: resumeStatusOf(role) });
    if (!spend) return;
    if (budget.taskUsdMicros !== null && spend.taskUsdMicros > budget.taskUsdMicros) {
      const level = budget.raises;
      const base = budget.baseTaskUsdMicros ?? budget.taskUsdMicros;
      const key = `budget-task-${level}`;
      const instructions = await awaitApproval(run, {
        key,
        stepPrefix: `${stepId}/budget`,
        kind: "budget",
        reason: `This task has spent ${formatUsd(spend.taskUsdMicros)}, over its budget of ${formatUsd(budget.taskUsdMicros)}. Approve to raise the budget to ${formatUsd(base * (level + 2))} and go on.`,
        requestedBy: role,
        details: { scope: "task", spentUsdMicros: spend.taskUsdMicros, budgetUsdMicros: budget.taskUsdMicros, raiseToUsdMicros: base * (level + 2) },
        resumeStatus: resumeStatusOf(role),
      });
      budget.taskUsdMicros = await run.rt.steps.run(`${stepId}/budget/raise`, () =>
        raiseTaskBudget(run.ctx, run.runId, { key, budgetUsdMicros: base * (level + 2), by: null }),
      );
      budget.raises = Math.max(budget.raises, level + 1);
      if (instructions) run.instructions.push(instructions);
    }
    const monthly = budget.organizationMonthlyUsdMicros;
    if (monthly !== null && !budget.organizationApproved && spend.organizationMonthUsdMicros > monthly) {
      const month = monthStart().toISOString().slice(0, 7);
      const instructions = await awaitApproval(run, {
        key: `budget-organization-${month}`,
        stepPrefix: `${stepId}/org-budget`,
        kind: "budget",
        reason: `Your organization has spent ${formatUsd(spend.organizationMonthUsdMicros)} on models this month (${month}), over its monthly budget of ${formatUsd(monthly)}. Approve to let this task go on.`,
        requestedBy: role,
        details: { scope: "organization", month, spentUsdMicros: spend.organizationMonthUsdMicros, budgetUsdMicros: monthly },
        resumeStatus: resumeStatusOf(role),
      });
      budget.organizationApproved = true;
      if (instructions) run.instructions.push(instructions);
    }
  };
}
