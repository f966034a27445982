import { getDb } from "@/db/client";
import { parseIdParam, withContext } from "@/lib/api/handler";
import { rotateEndpointSecret } from "@/lib/outbound-webhooks/manage-endpoints";

export const dynamic = "force-dynamic";

/** `POST /api/v1/webhook-endpoints/{id}/rotate-secret` → the endpoint with its new `secret` (shown once; audited). */
export const POST = withContext<{ id: string }>(
  async (_req, ctx, params) => {
    const endpointId = parseIdParam(params.id, "Webhook endpoint");
    const actor = { userId: ctx.userId, apiKeyId: ctx.apiKeyId };
    return Response.json(await rotateEndpointSecret(getDb(), { organizationId: ctx.organizationId, endpointId, actor }));
  },
  { requires: { organization: ["update"] } },
);
