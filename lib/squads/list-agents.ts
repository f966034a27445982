import type { DbOrTx } from "@/db/client";
import { notFound } from "@/lib/errors";
import { listSquadsWithAgents } from "./list-squads";

/**
 * The agents of the organization's squads (or of one squad), each with its `squadId` and `squadName`
 * besides what `GET /api/v1/squads` shows of it.
 * @throws AppError `not_found` when `squadId` is not a squad of the organization
 */
export async function listAgentsOfOrganization(db: DbOrTx, q: { organizationId: string; squadId?: string }) {
  const squads = await listSquadsWithAgents(db, { organizationId: q.organizationId });
  const chosen = q.squadId ? squads.filter((s) => s.id === q.squadId) : squads;
  if (q.squadId && chosen.length === 0) throw notFound("Squad");
  return chosen.flatMap((s) => s.agents.map((a) => ({ ...a, squadId: s.id, squadName: s.name })));
}
