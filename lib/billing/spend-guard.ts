import type { AgentRole, TaskStatus } from "@/db/schema";
import { getDb } from "@/db/client";
import { spendBetween } from "@/db/queries/billing";
import { awaitApproval } from "@/lib/approvals/await-approval";
import { formatUsd } from "@/lib/budgets/usd";
import type { TaskRun } from "@/lib/tasks/task-run";
import { getBillingState } from "./billing-state";
import { billingEnabled } from "./plans";

/** The plan's spend limit reached: what the approval says (USD micros, ISO dates). */
export type PlanSpendReached = { plan: string; limitUsdMicros: number; spentUsdMicros: number; periodStart: string; periodEnd: string };

/**
 * Whether the organization's model spend this billing period (the `llm_calls` ledger) has reached its
 * plan's `spendLimitUsdMicros`.
 * @returns the facts when it has, else null (also for plans without a limit)
 */
export async function checkPlanSpend(organizationId: string): Promise<PlanSpendReached | null> {
  const db = getDb();
  const state = await getBillingState(db, organizationId);
  const limit = state.plan.limits.spendLimitUsdMicros;
  if (limit === null) return null;
  const spent = await spendBetween(db, { organizationId, from: state.periodStart, to: state.periodEnd });
  if (spent < limit) return null;
  return { plan: state.plan.name, limitUsdMicros: limit, spentUsdMicros: spent, periodStart: state.periodStart.toISOString(), periodEnd: state.periodEnd.toISOString() };
}

/** Runs a person already let past the plan's limit (per run; rebuilt identically on replay). */
const approvedRuns = new WeakSet<TaskRun>();

/**
 * The plan's monthly spend limit, run by the budget guard after every model call while billing is on:
 * one step (`<model step>/plan-spend/check`) reads the period's spend; at or over the limit the run
 * pauses for approval (kind `budget`, steps `<model step>/plan-spend/…`), as the task and organization
 * budgets do — never a silent stop. Approving lets this run go on (the spend above the included amount
 * is metered); rejecting or letting it expire cancels the task.
 * @throws TaskStopped when the approval is rejected or expires (see `awaitApproval`)
 */
export async function planSpendGuard(run: TaskRun, input: { stepId: string; role: AgentRole; resumeStatus: TaskStatus }): Promise<void> {
  if (!billingEnabled() || approvedRuns.has(run)) return;
  const reached = await run.rt.steps.run(`${input.stepId}/plan-spend/check`, () => checkPlanSpend(run.ctx.organizationId));
  if (!reached) return;
  const instructions = await awaitApproval(run, {
    key: `plan-spend-${reached.periodStart.slice(0, 10)}`,
    stepPrefix: `${input.stepId}/plan-spend`,
    kind: "budget",
    reason: `Your organization has spent ${formatUsd(reached.spentUsdMicros)} on models this billing period, reaching the ${reached.plan} plan's limit of ${formatUsd(reached.limitUsdMicros)} (it renews on ${reached.periodEnd.slice(0, 10)}). Approve to let this task go on, or upgrade under Settings → Billing.`,
    requestedBy: input.role,
    details: { scope: "plan", ...reached },
    resumeStatus: input.resumeStatus,
  });
  approvedRuns.add(run);
  if (instructions) run.instructions.push(instructions);
}
