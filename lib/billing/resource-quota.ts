import { sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { organizationCounts } from "@/db/queries/billing";
import { getBillingState } from "./billing-state";
import { QuotaExceededError } from "./quota";

/**
 * Refuses a repository beyond the plan's `repositories` limit; call inside the transaction that
 * inserts it (serialised per organization with an advisory lock).
 * @throws QuotaExceededError `quota_exceeded` (402) with `{ plan, quota: "repositories", limit, usage, resetsAt }`
 */
export async function enforceRepositoryQuota(tx: DbOrTx, organizationId: string): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`squadron-repository-quota:${organizationId}`}))`);
  const state = await getBillingState(tx, organizationId);
  const limit = state.plan.limits.repositories;
  if (limit === null) return;
  const { repositories } = await organizationCounts(tx, { organizationId });
  if (repositories < limit) return;
  throw new QuotaExceededError(
    "quota_exceeded",
    `The ${state.plan.name} plan allows ${limit} repositories and this organization has ${repositories}. Remove one, or upgrade under Settings → Billing.`,
    { plan: state.plan.id, quota: "repositories", limit, usage: repositories, resetsAt: state.periodEnd.toISOString() },
  );
}

/**
 * Members the organization's plan allows, for better-auth's `membershipLimit` (checked when an
 * invitation is created and accepted). Unlimited plans answer `Number.MAX_SAFE_INTEGER`.
 */
export async function seatLimit(db: DbOrTx, organizationId: string): Promise<number> {
  const state = await getBillingState(db, organizationId);
  return state.plan.limits.seats ?? Number.MAX_SAFE_INTEGER;
}
