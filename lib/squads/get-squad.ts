import type { DbOrTx } from "@/db/client";
import { findSquad, listAgents } from "@/db/queries/squads";
import { notFound } from "@/lib/errors";
import { serializeSquad, type SquadJson } from "./serialize";
import { organizationBudgetOf, squadUsageThisMonth } from "./squad-extras";

/**
 * One squad of the organization with its agents and this month's usage.
 * @throws AppError `not_found` when it is not a squad of the organization
 */
export async function getSquadOrThrow(db: DbOrTx, q: { organizationId: string; squadId: string }): Promise<SquadJson> {
  const squad = await findSquad(db, q);
  if (!squad) throw notFound("Squad");
  return serializeSquad(squad, await listAgents(db, { organizationId: q.organizationId, squadId: squad.id }), {
    usageThisMonth: await squadUsageThisMonth(db, q),
    organizationBudget: await organizationBudgetOf(db, { organizationId: q.organizationId }),
  });
}
