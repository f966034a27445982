import { withTenant } from "@/db/tenant";
import { getDb } from "@/db/client";
import { parseJsonBody, withContext } from "@/lib/api/handler";
import { createSquad } from "@/lib/squads/create-squad";
import { createSquadInputSchema } from "@/lib/squads/schemas";
import { listSquadsWithAgents } from "@/lib/squads/list-squads";

export const dynamic = "force-dynamic";

/** `GET /api/v1/squads` → the organization's squads with their agents, the default squad first (JSON array). */
export const GET = withContext(async (_req, ctx) => {
  return Response.json(await withTenant(getDb(), ctx.organizationId, (tx) => listSquadsWithAgents(tx, { organizationId: ctx.organizationId })));
}, { requires: { squad: ["read"] } });

/** `POST /api/v1/squads` `{ name, repositoryId?, autonomy?, budgetUsdMicros? }` → 201 with the new squad and its default agents (audited). */
export const POST = withContext(
  async (req, ctx) => {
    const input = await parseJsonBody(req, createSquadInputSchema);
    const squad = await createSquad(getDb(), { organizationId: ctx.organizationId, actor: { userId: ctx.userId, apiKeyId: ctx.apiKeyId } }, input);
    return Response.json(squad, { status: 201, headers: { Location: `/api/v1/squads/${squad.id}` } });
  },
  { requires: { squad: ["create"] } },
);
