import { getDb } from "@/db/client";
import { withTenant } from "@/db/tenant";
import { parseJsonBody, withContext } from "@/lib/api/handler";
import { createEndpoint, listEndpointJson } from "@/lib/outbound-webhooks/manage-endpoints";
import { createEndpointInputSchema } from "@/lib/outbound-webhooks/schemas";

export const dynamic = "force-dynamic";

/** `GET /api/v1/webhook-endpoints` → `{ items }`: the organization's outbound webhook endpoints (no secrets). */
export const GET = withContext(
  async (_req, ctx) => {
    const items = await withTenant(getDb(), ctx.organizationId, (tx) => listEndpointJson(tx, { organizationId: ctx.organizationId }));
    return Response.json({ items });
  },
  { requires: { organization: ["update"] } },
);

/** `POST /api/v1/webhook-endpoints` `{ url, description?, eventTypes }` → 201 with the endpoint and its `secret` (shown once; audited). */
export const POST = withContext(
  async (req, ctx) => {
    const input = await parseJsonBody(req, createEndpointInputSchema);
    const created = await createEndpoint(getDb(), { organizationId: ctx.organizationId, actor: { userId: ctx.userId, apiKeyId: ctx.apiKeyId } }, input);
    return Response.json(created, { status: 201 });
  },
  { requires: { organization: ["update"] } },
);
