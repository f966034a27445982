import { withTenant } from "@/db/tenant";
import { getDb } from "@/db/client";
import { parseIdParam, parseJsonBody, withContext } from "@/lib/api/handler";
import { getSquadOrThrow } from "@/lib/squads/get-squad";
import { updateSquadSchema } from "@/lib/squads/schemas";
import { updateSquadSettings } from "@/lib/squads/update-squad";

export const dynamic = "force-dynamic";

/** `GET /api/v1/squads/{id}` → the squad with its agents. */
export const GET = withContext<{ id: string }>(async (_req, ctx, params) => {
  const squadId = parseIdParam(params.id, "Squad");
  return Response.json(await withTenant(getDb(), ctx.organizationId, (tx) => getSquadOrThrow(tx, { organizationId: ctx.organizationId, squadId })));
}, { requires: { squad: ["read"] } });

/**
 * `PATCH /api/v1/squads/{id}` `{ name?, repositoryId?, autonomy?, budgetUsdMicros?, policy?, agents? }` → the updated
 * squad. `agents` changes agents by role (add, update prompt/route, `enabled: false` removes).
 */
export const PATCH = withContext<{ id: string }>(async (req, ctx, params) => {
  const squadId = parseIdParam(params.id, "Squad");
  const input = await parseJsonBody(req, updateSquadSchema);
  return Response.json(await updateSquadSettings(getDb(), { organizationId: ctx.organizationId, squadId, actor: { userId: ctx.userId, apiKeyId: ctx.apiKeyId } }, input));
}, { requires: { squad: ["update"] } });
