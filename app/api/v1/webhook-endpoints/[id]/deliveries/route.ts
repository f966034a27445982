import { getDb } from "@/db/client";
import { withTenant } from "@/db/tenant";
import { parseIdParam, parseQuery, withContext } from "@/lib/api/handler";
import { listDeliveryJson } from "@/lib/outbound-webhooks/manage-endpoints";
import { listDeliveriesQuerySchema } from "@/lib/outbound-webhooks/schemas";

export const dynamic = "force-dynamic";

/** `GET /api/v1/webhook-endpoints/{id}/deliveries?limit=` → `{ items }`: delivery attempts, newest first. */
export const GET = withContext<{ id: string }>(
  async (req, ctx, params) => {
    const endpointId = parseIdParam(params.id, "Webhook endpoint");
    const { limit } = parseQuery(req, listDeliveriesQuerySchema);
    const items = await withTenant(getDb(), ctx.organizationId, (tx) => listDeliveryJson(tx, { organizationId: ctx.organizationId, endpointId, limit }));
    return Response.json({ items });
  },
  { requires: { organization: ["update"] } },
);
