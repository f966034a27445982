import { withTenant } from "@/db/tenant";
import { getDb } from "@/db/client";
import { parseQuery, withContext } from "@/lib/api/handler";
import { notFound } from "@/lib/errors";
import { listAgentsQuerySchema } from "@/lib/squads/schemas";
import { listSquadsWithAgents } from "@/lib/squads/list-squads";

export const dynamic = "force-dynamic";

/**
 * `GET /api/v1/agents?squadId=` → the agents of the organization's squads (or of one squad), each
 * with its `squadId`, role, persona, tools, instructions and model route. Change them with
 * `PATCH /api/v1/squads/{id}` (`agents`).
 */
export const GET = withContext(
  async (req, ctx) => {
    const query = parseQuery(req, listAgentsQuerySchema);
    const squads = await withTenant(getDb(), ctx.organizationId, (tx) => listSquadsWithAgents(tx, { organizationId: ctx.organizationId }));
    const chosen = query.squadId ? squads.filter((s) => s.id === query.squadId) : squads;
    if (query.squadId && chosen.length === 0) throw notFound("Squad");
    return Response.json(chosen.flatMap((s) => s.agents.map((a) => ({ ...a, squadId: s.id, squadName: s.name }))));
  },
  { requires: { squad: ["read"] } },
);
