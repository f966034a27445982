import { getDb } from "@/db/client";
import { withTenant } from "@/db/tenant";
import { parseIdParam, parseJsonBody, withContext } from "@/lib/api/handler";
import { deleteEndpoint, getEndpointOrThrow, updateEndpoint } from "@/lib/outbound-webhooks/manage-endpoints";
import { updateEndpointInputSchema } from "@/lib/outbound-webhooks/schemas";
import { serializeEndpoint } from "@/lib/outbound-webhooks/serialize";

export const dynamic = "force-dynamic";

/** `GET /api/v1/webhook-endpoints/{id}` → the endpoint (404 for another organization's). */
export const GET = withContext<{ id: string }>(
  async (_req, ctx, params) => {
    const endpointId = parseIdParam(params.id, "Webhook endpoint");
    const row = await withTenant(getDb(), ctx.organizationId, (tx) => getEndpointOrThrow(tx, { organizationId: ctx.organizationId, endpointId }));
    return Response.json(serializeEndpoint(row));
  },
  { requires: { organization: ["update"] } },
);

/** `PATCH /api/v1/webhook-endpoints/{id}` `{ url?, description?, eventTypes?, enabled? }` → the updated endpoint (audited). */
export const PATCH = withContext<{ id: string }>(
  async (req, ctx, params) => {
    const endpointId = parseIdParam(params.id, "Webhook endpoint");
    const input = await parseJsonBody(req, updateEndpointInputSchema);
    const actor = { userId: ctx.userId, apiKeyId: ctx.apiKeyId };
    return Response.json(await updateEndpoint(getDb(), { organizationId: ctx.organizationId, endpointId, actor }, input));
  },
  { requires: { organization: ["update"] } },
);

/** `DELETE /api/v1/webhook-endpoints/{id}` → 204; the endpoint and its delivery log are gone (audited). */
export const DELETE = withContext<{ id: string }>(
  async (_req, ctx, params) => {
    const endpointId = parseIdParam(params.id, "Webhook endpoint");
    await deleteEndpoint(getDb(), { organizationId: ctx.organizationId, endpointId, actor: { userId: ctx.userId, apiKeyId: ctx.apiKeyId } });
    return new Response(null, { status: 204 });
  },
  { requires: { organization: ["update"] } },
);
