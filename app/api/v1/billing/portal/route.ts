import { parseJsonBody, withContext } from "@/lib/api/handler";
import { portalInputSchema } from "@/lib/billing/schemas";
import { openBillingPortal } from "@/lib/billing/open-billing-portal";

export const dynamic = "force-dynamic";

/**
 * `POST /api/v1/billing/portal` → `{ url }` of the Stripe Customer Portal (owners and admins).
 * 409 when billing is off or there is no customer yet; 502/503 when Stripe fails.
 */
export const POST = withContext(
  async (req, ctx) => {
    await parseJsonBody(req, portalInputSchema);
    return Response.json(await openBillingPortal({ organizationId: ctx.organizationId }));
  },
  { requires: { organization: ["update"] } },
);
