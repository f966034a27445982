import { parseJsonBody, withContext } from "@/lib/api/handler";
import { checkoutInputSchema } from "@/lib/billing/schemas";
import { startCheckout } from "@/lib/billing/start-checkout";

export const dynamic = "force-dynamic";

/**
 * `POST /api/v1/billing/checkout` `{ plan: "team" | "business" }` → `{ url }` of a Stripe Checkout
 * page (owners and admins). 409 when billing is off or a subscription exists; 502/503 when Stripe fails.
 */
export const POST = withContext(
  async (req, ctx) => {
    const input = await parseJsonBody(req, checkoutInputSchema);
    const result = await startCheckout(
      { organizationId: ctx.organizationId, email: ctx.user.email, actor: { userId: ctx.userId, apiKeyId: ctx.apiKeyId } },
      input,
    );
    return Response.json(result);
  },
  { requires: { organization: ["update"] } },
);
