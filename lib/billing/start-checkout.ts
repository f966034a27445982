import { getDb } from "@/db/client";
import { findBillingAccount, findOrganizationName, saveStripeCustomer } from "@/db/queries/billing";
import { recordAudit, type AuditActor } from "@/lib/audit/record-audit";
import { AppError } from "@/lib/errors";
import { env } from "@/lib/env";
import { billingStateOf } from "./billing-state";
import { billingEnabled, plans } from "./plans";
import type { CheckoutInput } from "./schemas";
import { callStripe } from "./stripe";

type Caller = { organizationId: string; email: string; actor: AuditActor };

/**
 * The organization's Stripe customer, created once: the id is stored in `billing_accounts`, and the
 * create call carries the idempotency key `squadron-customer-<organization>`, so two checkouts at once
 * (or a retry after a lost answer) still make one customer.
 * @throws AppError `unavailable` / `bad_gateway` when Stripe fails (nothing stored)
 */
export async function ensureStripeCustomer(caller: Omit<Caller, "actor">): Promise<string> {
  const db = getDb();
  const existing = (await findBillingAccount(db, caller))?.stripeCustomerId;
  if (existing) return existing;
  const name = (await findOrganizationName(db, caller)) ?? caller.organizationId;
  const customer = await callStripe("creating the customer", (stripe) =>
    stripe.customers.create(
      { name, email: caller.email, metadata: { organization_id: caller.organizationId } },
      { idempotencyKey: `squadron-customer-${caller.organizationId}` },
    ),
  );
  return saveStripeCustomer(db, { organizationId: caller.organizationId, stripeCustomerId: customer.id });
}

/**
 * Starts a Stripe Checkout Session in subscription mode for `input.plan`: the plan's price plus, when
 * `STRIPE_PRICE_MODEL_SPEND` is set, the metered model-spend price; `client_reference_id` and metadata
 * name the organization. The plan changes only when Stripe's webhook confirms it.
 * @returns `{ url }` of the Checkout page
 * @throws AppError `conflict` (billing off, or already on a paid plan: use the portal),
 *   `invalid_input` (the plan has no Stripe price configured), `unavailable` (Stripe unreachable) /
 *   `bad_gateway` (Stripe refused); nothing is stored on failure beyond the customer id
 */
export async function startCheckout(caller: Caller, input: CheckoutInput): Promise<{ url: string }> {
  if (!billingEnabled()) throw new AppError("conflict", "Billing is not enabled on this deployment: every organization is on the unlimited self-hosted plan.");
  const plan = plans()[input.plan];
  const priceId = plan.stripePriceId;
  if (!priceId) throw new AppError("invalid_input", `The ${plan.name} plan has no Stripe price on this deployment (set STRIPE_PRICE_${input.plan.toUpperCase()}).`);
  const state = billingStateOf(caller.organizationId, await findBillingAccount(getDb(), caller));
  if (state.status === "active" || state.status === "past_due" || state.status === "restricted") {
    throw new AppError("conflict", `This organization already has a ${state.plan.name} subscription; change or cancel it in the billing portal.`);
  }
  const customer = await ensureStripeCustomer(caller);
  const base = `${env.APP_URL}/settings/billing`;
  const metadata = { organization_id: caller.organizationId, plan: plan.id };
  const session = await callStripe("creating the checkout session", (stripe) =>
    stripe.checkout.sessions.create({
      mode: "subscription",
      customer,
      client_reference_id: caller.organizationId,
      line_items: [{ price: priceId, quantity: 1 }, ...(plan.metered && env.STRIPE_PRICE_MODEL_SPEND ? [{ price: env.STRIPE_PRICE_MODEL_SPEND }] : [])],
      success_url: `${base}?checkout=success&session_id={CHECKOUT_SESSION_ID}`,
      cancel_url: `${base}?checkout=cancelled`,
      metadata,
      subscription_data: { metadata },
    }),
  );
  if (!session.url) throw new AppError("bad_gateway", "Stripe created a checkout session without a URL.");
  await recordAudit(getDb(), {
    organizationId: caller.organizationId,
    actor: caller.actor,
    action: "billing.checkout_started",
    targetType: "billing_account",
    targetId: caller.organizationId,
    data: { plan: plan.id, checkoutSessionId: session.id },
  });
  return { url: session.url };
}
