import type { DbOrTx } from "@/db/client";
import { countBillableTasks, organizationCounts, spendBetween } from "@/db/queries/billing";
import { getBillingState } from "./billing-state";
import type { BillingOverview } from "./schemas";

/**
 * The organization's plan, status, limits and usage of the current period (`GET /api/v1/billing`,
 * the billing page). Tasks and spend count from `tasks` (refused ones left out) and the `llm_calls`
 * ledger; money in USD micros.
 */
export async function getBillingOverview(db: DbOrTx, organizationId: string, now: Date = new Date()): Promise<BillingOverview> {
  const state = await getBillingState(db, organizationId, now);
  const window = { organizationId, from: state.periodStart, to: state.periodEnd };
  const [tasks, spendUsdMicros, counts] = [await countBillableTasks(db, window), await spendBetween(db, window), await organizationCounts(db, { organizationId })];
  const { plan } = state;
  return {
    billingEnabled: state.billingEnabled,
    plan: { id: plan.id, name: plan.name, monthlyPriceUsdCents: plan.monthlyPriceUsdCents, metered: plan.metered },
    status: state.status,
    limits: plan.limits,
    usage: { tasks, spendUsdMicros, ...counts },
    periodStart: state.periodStart.toISOString(),
    periodEnd: state.periodEnd.toISOString(),
    graceEndsAt: state.graceEndsAt?.toISOString() ?? null,
    cancelAtPeriodEnd: state.cancelAtPeriodEnd,
    hasCustomer: state.stripeCustomerId !== null,
  };
}
