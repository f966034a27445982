import { getDb } from "@/db/client";
import { parseIdParam, withContext } from "@/lib/api/handler";
import { resendDelivery } from "@/lib/outbound-webhooks/manage-endpoints";

export const dynamic = "force-dynamic";

/** `POST /api/v1/webhook-endpoints/{id}/deliveries/{deliveryId}/resend` → 202 `{ runKey, eventId }`: the event is delivered again (audited). */
export const POST = withContext<{ id: string; deliveryId: string }>(
  async (_req, ctx, params) => {
    const endpointId = parseIdParam(params.id, "Webhook endpoint");
    const deliveryId = parseIdParam(params.deliveryId, "Delivery");
    const actor = { userId: ctx.userId, apiKeyId: ctx.apiKeyId };
    const result = await resendDelivery(getDb(), { organizationId: ctx.organizationId, endpointId, deliveryId, actor });
    return Response.json(result, { status: 202 });
  },
  { requires: { organization: ["update"] } },
);
