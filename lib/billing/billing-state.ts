import type { DbOrTx } from "@/db/client";
import { findBillingAccount, type BillingAccountRow } from "@/db/queries/billing";
import type { BillingStatus } from "@/db/schema";
import { monthStart } from "@/lib/budgets/usd";
import { billingEnabled, planOf, type Plan } from "./plans";

/** What billing decides with: the organization's plan, its effective status and the current period. */
export type BillingState = {
  organizationId: string;
  billingEnabled: boolean;
  plan: Plan;
  /**
   * `none` (no subscription: Free or self-hosted), `active`, `past_due` (a payment failed; still
   * working until `graceEndsAt`), `restricted` (past the grace period, or Stripe gave up: new tasks
   * are refused, running ones finish), `canceled` (back on Free).
   */
  status: BillingStatus;
  /** The quota window `[start, end)`: the subscription's period, else the calendar month (UTC). */
  periodStart: Date;
  periodEnd: Date;
  graceEndsAt: Date | null;
  cancelAtPeriodEnd: boolean;
  stripeCustomerId: string | null;
  stripeSubscriptionId: string | null;
};

/**
 * The billing state from a stored account (or none) at `now`. `past_due` turns into `restricted`
 * once `graceEndsAt` has passed, without waiting for another webhook.
 */
export function billingStateOf(organizationId: string, account: BillingAccountRow | undefined, now: Date = new Date()): BillingState {
  const enabled = billingEnabled();
  const subscribed = enabled && account && (account.status === "active" || account.status === "past_due" || account.status === "restricted");
  const plan = planOf(subscribed ? account.plan : null);
  let status: BillingStatus = enabled ? (account?.status ?? "none") : "none";
  if (status === "past_due" && account?.graceEndsAt && account.graceEndsAt.getTime() <= now.getTime()) status = "restricted";
  const inPeriod =
    subscribed && account.currentPeriodStart && account.currentPeriodEnd && account.currentPeriodEnd.getTime() > now.getTime();
  const periodStart = inPeriod && account.currentPeriodStart ? account.currentPeriodStart : monthStart(now);
  const periodEnd =
    inPeriod && account.currentPeriodEnd
      ? account.currentPeriodEnd
      : new Date(Date.UTC(periodStart.getUTCFullYear(), periodStart.getUTCMonth() + 1, 1));
  return {
    organizationId,
    billingEnabled: enabled,
    plan,
    status,
    periodStart,
    periodEnd,
    graceEndsAt: enabled ? (account?.graceEndsAt ?? null) : null,
    cancelAtPeriodEnd: account?.cancelAtPeriodEnd ?? false,
    stripeCustomerId: account?.stripeCustomerId ?? null,
    stripeSubscriptionId: account?.stripeSubscriptionId ?? null,
  };
}

/** Loads the organization's billing state (see {@link billingStateOf}). */
export async function getBillingState(db: DbOrTx, organizationId: string, now: Date = new Date()): Promise<BillingState> {
  return billingStateOf(organizationId, await findBillingAccount(db, { organizationId }), now);
}
