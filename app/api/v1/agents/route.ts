import { getDb } from "@/db/client";
import { withTenant } from "@/db/tenant";
import { parseQuery, withContext } from "@/lib/api/handler";
import { listAgentsOfOrganization } from "@/lib/squads/list-agents";
import { listAgentsQuerySchema } from "@/lib/squads/schemas";

export const dynamic = "force-dynamic";

/**
 * `GET /api/v1/agents?squadId=` → the agents of the organization's squads (or of one squad), each
 * with its `squadId`, role, persona, tools, instructions and model route. Change them with
 * `PATCH /api/v1/squads/{id}` (`agents`).
 */
export const GET = withContext(
  async (req, ctx) => {
    const { squadId } = parseQuery(req, listAgentsQuerySchema);
    const agents = await withTenant(getDb(), ctx.organizationId, (tx) => listAgentsOfOrganization(tx, { organizationId: ctx.organizationId, squadId }));
    return Response.json(agents);
  },
  { requires: { squad: ["read"] } },
);
