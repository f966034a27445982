import { formatUsd } from "@/lib/budgets/usd";
import type { BillingOverview } from "./schemas";

/** A quota is worth a warning once this share of it is used (80 %, as Stripe's and GitHub's usage alerts default to). */
export const QUOTA_WARNING_RATIO = 0.8;

/** Something about the plan a person should act on (shown in the inbox, linking to Settings → Billing). */
export type QuotaWarning = {
  /** Stable per condition and period, e.g. `tasks:2026-12-01T00:00:00.000Z`. */
  id: string;
  title: string;
  detail: string;
};

/**
 * The warnings of a billing overview: a failed payment (past due, with the grace period's end), new
 * tasks paused (restricted), and tasks or model spend at or above {@link QUOTA_WARNING_RATIO} of the
 * plan's limit this period. Unlimited plans (self-hosted) and billing off give none.
 * @returns warnings, the most urgent first
 */
export function quotaWarnings(overview: BillingOverview): QuotaWarning[] {
  if (!overview.billingEnabled) return [];
  const { plan, limits, usage, periodStart, periodEnd } = overview;
  const resets = periodEnd.slice(0, 10);
  const warnings: QuotaWarning[] = [];
  if (overview.status === "restricted") {
    warnings.push({
      id: `restricted:${periodStart}`,
      title: "New tasks are paused: payment overdue",
      detail: `The payment for the ${plan.name} plan is overdue and the grace period ended; new tasks are refused until it is paid (running tasks finish).`,
    });
  } else if (overview.status === "past_due") {
    warnings.push({
      id: `past_due:${periodStart}`,
      title: "Payment failed",
      detail: `The last payment for the ${plan.name} plan failed. Update the payment method${overview.graceEndsAt ? ` before ${overview.graceEndsAt.slice(0, 10)}` : ""}, or new tasks will be refused.`,
    });
  }
  const tasksLimit = limits.tasksPerMonth;
  if (tasksLimit !== null && tasksLimit > 0 && usage.tasks >= tasksLimit * QUOTA_WARNING_RATIO) {
    warnings.push({
      id: `tasks:${periodStart}`,
      title: usage.tasks >= tasksLimit ? "Task quota used up" : "Task quota almost used up",
      detail: `${usage.tasks} of the ${plan.name} plan's ${tasksLimit} tasks this period are used; ${usage.tasks >= tasksLimit ? "new tasks are refused until" : "the quota resets on"} ${resets}.`,
    });
  }
  const spendLimit = limits.spendLimitUsdMicros;
  if (spendLimit !== null && spendLimit > 0 && usage.spendUsdMicros >= spendLimit * QUOTA_WARNING_RATIO) {
    warnings.push({
      id: `spend:${periodStart}`,
      title: usage.spendUsdMicros >= spendLimit ? "Model spend limit reached" : "Model spend near the limit",
      detail: `${formatUsd(usage.spendUsdMicros)} of the ${plan.name} plan's ${formatUsd(spendLimit)} spend limit this period; at the limit runs pause and ask for approval. It resets on ${resets}.`,
    });
  }
  return warnings;
}
