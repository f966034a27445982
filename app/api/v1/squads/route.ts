import { withTenant } from "@/db/tenant";
import { getDb } from "@/db/client";
import { withContext } from "@/lib/api/handler";
import { listSquadsWithAgents } from "@/lib/squads/list-squads";

export const dynamic = "force-dynamic";

/** `GET /api/v1/squads` → the organization's squads with their agents, the default squad first (JSON array). */
export const GET = withContext(async (_req, ctx) => {
  return Response.json(await withTenant(getDb(), ctx.organizationId, (tx) => listSquadsWithAgents(tx, { organizationId: ctx.organizationId })));
}, { requires: { squad: ["read"] } });
