import type { DbOrTx } from "@/db/client";
import { findOrganizationBudget, organizationSpendSince, squadUsageByRoleSince } from "@/db/queries/usage";
import { monthStart } from "@/lib/budgets/usd";
import type { OrganizationBudgetJson, SquadUsage } from "./serialize";

/** The organization's monthly budget and what it spent this month (UTC), in USD micros. */
export async function organizationBudgetOf(db: DbOrTx, q: { organizationId: string }): Promise<OrganizationBudgetJson> {
  const since = monthStart();
  const [monthlyBudgetUsdMicros, spentThisMonthUsdMicros] = await Promise.all([
    findOrganizationBudget(db, q),
    organizationSpendSince(db, { organizationId: q.organizationId, since }),
  ]);
  return { monthlyBudgetUsdMicros, spentThisMonthUsdMicros };
}

/** A squad's model usage this month (UTC) per agent role. */
export async function squadUsageThisMonth(db: DbOrTx, q: { organizationId: string; squadId: string }): Promise<SquadUsage> {
  const since = monthStart();
  return { since: since.toISOString(), byRole: await squadUsageByRoleSince(db, { ...q, since }) };
}
