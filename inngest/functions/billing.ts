import { inngest } from "@/inngest/client";
import { billingUsageReportRequested, stripeEventReceived } from "@/inngest/events";
import { applyStripeEvent } from "@/lib/billing/apply-stripe-event";
import { recordOverage, sendMeterReport } from "@/lib/billing/meter-usage";
import { env } from "@/lib/env";

/**
 * Billing: applies one verified Stripe webhook event (`stripe/event.received`) to the organization's
 * billing account. A failure retries; applying is idempotent per event id (`lib/billing/apply-stripe-event.ts`).
 */
export const billingStripeEvent = inngest.createFunction(
  {
    id: "billing-stripe-event",
    name: "Billing: apply a Stripe event",
    triggers: [{ event: stripeEventReceived }],
    retries: 5,
  },
  async ({ event, step }) => {
    return step.run("apply", () => applyStripeEvent(event.data.stripeEventId));
  },
);

/**
 * Billing: reports model spend above each plan's included amount to Stripe as Billing Meter events,
 * on `BILLING_METER_CRON` (every 15 minutes) and on `billing/usage.report-requested`. Record the reports, then send each in a
 * step of its own; one run at a time.
 */
export const billingMeterUsage = inngest.createFunction(
  {
    id: "billing-meter-usage",
    name: "Billing: report metered model spend",
    triggers: [{ cron: env.BILLING_METER_CRON }, { event: billingUsageReportRequested }],
    concurrency: { limit: 1 },
    retries: 5,
  },
  async ({ step }) => {
    const reportIds = await step.run("record-overage", () => recordOverage());
    let sent = 0;
    for (const id of reportIds) {
      const result = await step.run(`send-${id}`, () => sendMeterReport(id));
      if (result.sent) sent += 1;
    }
    return { reports: reportIds.length, sent };
  },
);
