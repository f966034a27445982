import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { getPageContext } from "@/app/_lib/page-context";
import { Alert } from "@/components/ui/alert";
import { DELIVERY_LOG_LIMIT } from "@/components/webhooks/constants";
import { VerifyHint, WebhooksManager } from "@/components/webhooks/webhooks-manager";
import { getDb } from "@/db/client";
import { withTenant } from "@/db/tenant";
import { allows } from "@/lib/auth/permissions";
import { OUTBOUND_WEBHOOK_FAILURE_LIMIT } from "@/lib/outbound-webhooks/deliver";
import { listDeliveryJson, listEndpointJson } from "@/lib/outbound-webhooks/manage-endpoints";

export const metadata: Metadata = { title: "Webhooks" };

export default async function WebhooksPage() {
  const ctx = await getPageContext();
  if (!ctx) redirect("/sign-in?next=/settings/webhooks");
  // The API (`/api/v1/webhook-endpoints…`) answers owners and admins only (organization: update),
  // reads included: endpoint URLs often carry a token. The page shows no more than the API would.
  if (!allows(ctx.permissions, { organization: ["update"] })) {
    return (
      <div className="space-y-6">
        <Alert tone="info" title="Not allowed">
          Only owners and admins can see and manage webhook endpoints. Your role here is {ctx.role}.
        </Alert>
        <VerifyHint />
      </div>
    );
  }
  // Same JSON as `GET /api/v1/webhook-endpoints` and each one's `GET …/deliveries`, read under row-level security.
  const endpoints = await withTenant(getDb(), ctx.organizationId, async (tx) => {
    const list = await listEndpointJson(tx, { organizationId: ctx.organizationId });
    return Promise.all(
      list.map(async (e) => ({ ...e, deliveries: await listDeliveryJson(tx, { organizationId: ctx.organizationId, endpointId: e.id, limit: DELIVERY_LOG_LIMIT }) })),
    );
  });
  return <WebhooksManager key={ctx.organizationId} endpoints={endpoints} failureLimit={OUTBOUND_WEBHOOK_FAILURE_LIMIT} />;
}
