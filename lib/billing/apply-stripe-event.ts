import { z } from "zod";
import { getDb, type DbOrTx } from "@/db/client";
import {
  findBillingAccountByCustomer,
  lockStripeEvent,
  markStripeEventProcessed,
  updateBillingAccount,
  type BillingAccountRow,
  type StripeEventRow,
} from "@/db/queries/billing";
import type { BillingStatus } from "@/db/schema";
import { recordAudit } from "@/lib/audit/record-audit";
import { env } from "@/lib/env";
import { paidPlanIds, planOfPriceId } from "./plans";

/** What applying a Stripe event did. */
export type AppliedStripeEvent = {
  outcome: "applied" | "stale" | "ignored";
  organizationId: string | null;
  /** True when the event had been processed before (a retried function): nothing was done again. */
  already: boolean;
  reason?: string;
};

const customerId = z.union([z.string(), z.object({ id: z.string() }).transform((c) => c.id)]);
const unixSeconds = z.number().int();

const checkoutSessionSchema = z.object({
  client_reference_id: z.string().nullish(),
  customer: customerId.nullish(),
  subscription: customerId.nullish(),
  metadata: z.record(z.string(), z.string()).nullish(),
});

const subscriptionSchema = z.object({
  id: z.string(),
  customer: customerId,
  status: z.string(),
  cancel_at_period_end: z.boolean().optional(),
  // Before API version 2025-03-31 the period is on the subscription, since then on each item.
  current_period_start: unixSeconds.optional(),
  current_period_end: unixSeconds.optional(),
  items: z
    .object({
      data: z.array(
        z.object({
          price: z.object({ id: z.string() }),
          current_period_start: unixSeconds.optional(),
          current_period_end: unixSeconds.optional(),
        }),
      ),
    })
    .optional(),
});

const invoiceSchema = z.object({ customer: customerId.nullish() });

const eventObject = (row: StripeEventRow) => z.object({ data: z.object({ object: z.unknown() }) }).parse(row.payload).data.object;

const secondsToDate = (s: number | undefined) => (s === undefined ? null : new Date(s * 1000));

/** Stripe's subscription status folded into Squadron's. */
function statusOfSubscription(status: string, deleted: boolean): BillingStatus {
  if (deleted || status === "canceled" || status === "incomplete_expired") return "canceled";
  if (status === "active" || status === "trialing") return "active";
  if (status === "past_due") return "past_due";
  if (status === "unpaid" || status === "paused") return "restricted";
  return "none"; // incomplete: the first payment has not gone through
}

function graceFrom(since: Date): Date {
  return new Date(since.getTime() + env.BILLING_GRACE_PERIOD_DAYS * 86_400_000);
}

async function auditChange(tx: DbOrTx, account: BillingAccountRow, next: { plan: string; status: BillingStatus }, event: StripeEventRow) {
  if (account.plan === next.plan && account.status === next.status) return;
  await recordAudit(tx, {
    organizationId: account.organizationId,
    actor: { userId: null },
    action: "billing.plan_changed",
    targetType: "billing_account",
    targetId: account.organizationId,
    data: { from: { plan: account.plan, status: account.status }, to: next, stripeEventId: event.id, stripeEventType: event.type },
  });
}

async function applyEvent(tx: DbOrTx, event: StripeEventRow): Promise<Omit<AppliedStripeEvent, "already">> {
  const ignored = (reason: string, organizationId: string | null = null) => ({ outcome: "ignored" as const, organizationId, reason });
  const object = eventObject(event);
  const eventTime = new Date(event.created * 1000);

  switch (event.type) {
    case "checkout.session.completed": {
      const session = checkoutSessionSchema.parse(object);
      if (!session.customer) return ignored("no customer on the session");
      const account = await findBillingAccountByCustomer(tx, { stripeCustomerId: session.customer });
      // The customer is created by our checkout for one organization: a session naming another
      // organization (or a customer we never created) changes nothing.
      if (!account || account.organizationId !== session.client_reference_id) return ignored("customer and organization do not match");
      const plan = paidPlanIds.find((p) => p === session.metadata?.plan);
      if (account.subscriptionEventCreated !== null || !plan) {
        // A subscription event already set the state (it is the authority); just keep the subscription id.
        await updateBillingAccount(tx, account, { stripeSubscriptionId: session.subscription ?? account.stripeSubscriptionId });
        return { outcome: "applied", organizationId: account.organizationId };
      }
      const next = { plan, status: "active" as const };
      await auditChange(tx, account, next, event);
      await updateBillingAccount(tx, account, { ...next, stripeSubscriptionId: session.subscription ?? null, pastDueSince: null, graceEndsAt: null });
      return { outcome: "applied", organizationId: account.organizationId };
    }
    case "customer.subscription.created":
    case "customer.subscription.updated":
    case "customer.subscription.deleted": {
      const sub = subscriptionSchema.parse(object);
      const account = await findBillingAccountByCustomer(tx, { stripeCustomerId: sub.customer });
      if (!account) return ignored("unknown customer");
      if (account.subscriptionEventCreated !== null && event.created < account.subscriptionEventCreated) {
        return { outcome: "stale", organizationId: account.organizationId, reason: "older than the subscription state already applied" };
      }
      const status = statusOfSubscription(sub.status, event.type === "customer.subscription.deleted");
      // The end of a subscription the organization has already replaced (e.g. a plan switch) is not its end.
      if (status === "canceled" && account.stripeSubscriptionId && account.stripeSubscriptionId !== sub.id) {
        return ignored(`subscription ${sub.id} is not the organization's current one`, account.organizationId);
      }
      const items = sub.items?.data ?? [];
      const pricedPlan = items.map((i) => planOfPriceId(i.price.id)).find((p) => p !== null) ?? null;
      const plan = status === "canceled" ? "free" : (pricedPlan ?? account.plan);
      const pastDueSince = status === "past_due" ? (account.pastDueSince ?? eventTime) : status === "restricted" ? account.pastDueSince : null;
      const periodStart = sub.current_period_start ?? items[0]?.current_period_start;
      const periodEnd = sub.current_period_end ?? items[0]?.current_period_end;
      await auditChange(tx, account, { plan, status }, event);
      await updateBillingAccount(tx, account, {
        plan,
        status,
        stripeSubscriptionId: sub.id,
        currentPeriodStart: secondsToDate(periodStart),
        currentPeriodEnd: secondsToDate(periodEnd),
        cancelAtPeriodEnd: sub.cancel_at_period_end ?? false,
        pastDueSince,
        graceEndsAt: pastDueSince ? (account.graceEndsAt ?? graceFrom(pastDueSince)) : null,
        subscriptionEventCreated: event.created,
      });
      return { outcome: "applied", organizationId: account.organizationId };
    }
    case "invoice.paid": {
      const invoice = invoiceSchema.parse(object);
      if (!invoice.customer) return ignored("no customer on the invoice");
      const account = await findBillingAccountByCustomer(tx, { stripeCustomerId: invoice.customer });
      if (!account) return ignored("unknown customer");
      if (account.status !== "past_due" && account.status !== "restricted") return { outcome: "applied", organizationId: account.organizationId };
      // A payment older than the failure it would clear arrived late.
      if (account.pastDueSince && eventTime.getTime() < account.pastDueSince.getTime()) {
        return { outcome: "stale", organizationId: account.organizationId, reason: "paid before the failure that is open" };
      }
      await auditChange(tx, account, { plan: account.plan, status: "active" }, event);
      await updateBillingAccount(tx, account, { status: "active", pastDueSince: null, graceEndsAt: null });
      return { outcome: "applied", organizationId: account.organizationId };
    }
    case "invoice.payment_failed": {
      const invoice = invoiceSchema.parse(object);
      if (!invoice.customer) return ignored("no customer on the invoice");
      const account = await findBillingAccountByCustomer(tx, { stripeCustomerId: invoice.customer });
      if (!account) return ignored("unknown customer");
      if (account.status === "canceled" || account.status === "none") return ignored("no live subscription", account.organizationId);
      const since = account.pastDueSince ?? eventTime;
      const status = account.status === "restricted" ? "restricted" : "past_due";
      await auditChange(tx, account, { plan: account.plan, status }, event);
      await updateBillingAccount(tx, account, { status, pastDueSince: since, graceEndsAt: account.graceEndsAt ?? graceFrom(since) });
      return { outcome: "applied", organizationId: account.organizationId };
    }
    default:
      return ignored(`Squadron does not act on ${event.type}`);
  }
}

/**
 * Applies one recorded Stripe event to the billing account of its customer, exactly once: the event
 * row is locked, applied and marked processed in one transaction, so a retried function or a second
 * delivery does nothing more. Handles `checkout.session.completed`,
 * `customer.subscription.created|updated|deleted` (a stale one — older `created` than the state applied
 * — is ignored), `invoice.paid` and `invoice.payment_failed` (→ `past_due` with
 * `BILLING_GRACE_PERIOD_DAYS` of grace, then restricted). An event for a customer no organization
 * owns changes nothing.
 * @throws ZodError when the event's object lacks what its type needs (the function retries, then fails)
 */
export async function applyStripeEvent(stripeEventId: string): Promise<AppliedStripeEvent> {
  return getDb().transaction(async (tx) => {
    const row = await lockStripeEvent(tx, { id: stripeEventId });
    if (!row) return { outcome: "ignored", organizationId: null, already: false, reason: "no such recorded event" };
    if (row.processedAt) return { outcome: row.outcome ?? "applied", organizationId: row.matchedOrganizationId, already: true };
    const result = await applyEvent(tx, row);
    await markStripeEventProcessed(tx, { id: row.id, outcome: result.outcome, organizationId: result.organizationId });
    return { ...result, already: false };
  });
}
