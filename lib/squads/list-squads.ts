import type { DbOrTx } from "@/db/client";
import { listAgentsOfSquads, listSquads } from "@/db/queries/squads";
import { serializeSquad, type SquadJson } from "./serialize";
import { organizationBudgetOf, squadUsageThisMonth } from "./squad-extras";

/** The organization's squads with their agents and this month's usage, the default (oldest) squad first. */
export async function listSquadsWithAgents(db: DbOrTx, q: { organizationId: string }): Promise<SquadJson[]> {
  const squads = await listSquads(db, q);
  const agents = await listAgentsOfSquads(db, { organizationId: q.organizationId, squadIds: squads.map((s) => s.id) });
  const organizationBudget = await organizationBudgetOf(db, q);
  return Promise.all(
    squads.map(async (s) =>
      serializeSquad(s, agents, {
        usageThisMonth: await squadUsageThisMonth(db, { organizationId: q.organizationId, squadId: s.id }),
        organizationBudget,
      }),
    ),
  );
}
