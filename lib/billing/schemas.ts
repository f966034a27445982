import { z } from "zod";
import { billingStatuses } from "@/db/schema/billing";
import { paidPlanIds, planIds } from "./plans";

/** `POST /api/v1/billing/checkout` body. */
export const checkoutInputSchema = z.strictObject({
  plan: z.enum(paidPlanIds).meta({ description: "The plan to subscribe to: `team` or `business`." }),
});
export type CheckoutInput = z.infer<typeof checkoutInputSchema>;

/** `POST /api/v1/billing/portal` body (empty). */
export const portalInputSchema = z.strictObject({});

/** `{ url }` of a Stripe-hosted page (Checkout or the Customer Portal) to send the browser to. */
export const billingRedirectSchema = z.strictObject({ url: z.url().meta({ description: "Stripe-hosted page to open." }) });

const limit = z.number().int().nullable();
const limitsSchema = z.strictObject({
  tasksPerMonth: limit.meta({ description: "Top-level tasks per period (null = unlimited)." }),
  spendLimitUsdMicros: limit.meta({ description: "Model spend per period at which runs pause and ask, USD micros." }),
  includedSpendUsdMicros: limit.meta({ description: "Model spend included in the price, USD micros; above it, metered." }),
  concurrentRuns: limit,
  seats: limit,
  repositories: limit,
});

/** `GET /api/v1/billing`. */
export const billingOverviewSchema = z.strictObject({
  billingEnabled: z.boolean().meta({ description: "False: no STRIPE_SECRET_KEY, one unlimited self-hosted plan." }),
  plan: z.strictObject({ id: z.enum(planIds), name: z.string(), monthlyPriceUsdCents: z.number().int(), metered: z.boolean() }),
  status: z.enum(billingStatuses),
  limits: limitsSchema,
  usage: z.strictObject({
    tasks: z.number().int(),
    spendUsdMicros: z.number().int(),
    concurrentRuns: z.number().int(),
    seats: z.number().int(),
    repositories: z.number().int(),
  }),
  periodStart: z.iso.datetime(),
  periodEnd: z.iso.datetime().meta({ description: "When the period (and every quota) renews." }),
  graceEndsAt: z.iso.datetime().nullable().meta({ description: "While past due: when new tasks start being refused." }),
  cancelAtPeriodEnd: z.boolean(),
  hasCustomer: z.boolean().meta({ description: "A Stripe customer exists (the Customer Portal is available)." }),
});
export type BillingOverview = z.infer<typeof billingOverviewSchema>;
