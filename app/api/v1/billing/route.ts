import { getDb } from "@/db/client";
import { withTenant } from "@/db/tenant";
import { withContext } from "@/lib/api/handler";
import { getBillingOverview } from "@/lib/billing/get-billing-overview";

export const dynamic = "force-dynamic";

/**
 * `GET /api/v1/billing` → `{ billingEnabled, plan, status, limits, usage, periodStart, periodEnd,
 * graceEndsAt, cancelAtPeriodEnd, hasCustomer }` (money in USD micros; null limits are unlimited).
 */
export const GET = withContext(
  async (_req, ctx) => Response.json(await withTenant(getDb(), ctx.organizationId, (tx) => getBillingOverview(tx, ctx.organizationId))),
  { requires: { usage: ["read"] } },
);
