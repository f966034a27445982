import { getDb } from "@/db/client";
import { findBillingAccount } from "@/db/queries/billing";
import { AppError } from "@/lib/errors";
import { env } from "@/lib/env";
import { billingEnabled } from "./plans";
import { callStripe } from "./stripe";

/**
 * Opens a Stripe Customer Portal session (payment method, invoices, plan changes, cancellation).
 * @returns `{ url }` of the portal
 * @throws AppError `conflict` (billing off, or no customer yet: subscribe first), `unavailable` /
 *   `bad_gateway` when Stripe fails
 */
export async function openBillingPortal(caller: { organizationId: string }): Promise<{ url: string }> {
  if (!billingEnabled()) throw new AppError("conflict", "Billing is not enabled on this deployment: every organization is on the unlimited self-hosted plan.");
  const customer = (await findBillingAccount(getDb(), caller))?.stripeCustomerId;
  if (!customer) throw new AppError("conflict", "This organization has no Stripe customer yet: subscribe to a plan first.");
  const session = await callStripe("opening the billing portal", (stripe) =>
    stripe.billingPortal.sessions.create({ customer, return_url: `${env.APP_URL}/settings/billing` }),
  );
  return { url: session.url };
}
