import { sql } from "drizzle-orm";
import Stripe from "stripe";
import { getDb } from "@/db/client";
import {
  findMeterReport,
  insertMeterReport,
  listMeteredAccounts,
  listUnsentMeterReports,
  markMeterReportSent,
  reportedOverage,
  spendBetween,
} from "@/db/queries/billing";
import { env } from "@/lib/env";
import { billingStateOf } from "./billing-state";
import { callStripe } from "./stripe";

/**
 * Step 1 of metering: for every organization on a metered plan, the model spend of its current
 * period (the `llm_calls` ledger, USD micros) above the plan's included amount, minus what was already
 * recorded for that period, becomes one `billing_meter_reports` row. Its identifier —
 * `<organization>:<period start, Unix s>:<cumulative overage>` — is deterministic, and the rows are
 * written under a per-organization advisory lock, so a rerun or a concurrent run records nothing twice.
 * @returns ids of every report not yet confirmed by Stripe (new ones and those a crash left unsent)
 */
export async function recordOverage(now: Date = new Date()): Promise<string[]> {
  const db = getDb();
  const ids: string[] = [];
  for (const account of await listMeteredAccounts(db)) {
    const state = billingStateOf(account.organizationId, account, now);
    const included = state.plan.limits.includedSpendUsdMicros;
    if (!state.plan.metered || included === null || !state.stripeCustomerId || state.status === "none" || state.status === "canceled") continue;
    const organizationId = account.organizationId;
    const customer = state.stripeCustomerId;
    await db.transaction(async (tx) => {
      await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`squadron-meter:${organizationId}`}))`);
      const spend = await spendBetween(tx, { organizationId, from: state.periodStart, to: now });
      const overage = Math.max(0, spend - included);
      const reported = await reportedOverage(tx, { organizationId, periodStart: state.periodStart });
      if (overage <= reported) return;
      await insertMeterReport(tx, {
        organizationId,
        periodStart: state.periodStart,
        identifier: `${organizationId}:${Math.floor(state.periodStart.getTime() / 1000)}:${overage}`,
        valueUsdMicros: overage - reported,
        cumulativeUsdMicros: overage,
        stripeCustomerId: customer,
      });
    });
    ids.push(...(await listUnsentMeterReports(db, { organizationId })).map((r) => r.id));
  }
  return ids;
}

/**
 * Step 2 of metering: sends one report as a Stripe Billing Meter event
 * (`stripe.billing.meterEvents.create`, event `STRIPE_METER_EVENT_NAME`, payload
 * `{ stripe_customer_id, value }` in USD micros) with the report's identifier as both the meter event's
 * `identifier` and the request's idempotency key, then marks it sent. A retry after a crash between
 * the two sends the same identifier again, which Stripe does not count twice (its
 * `duplicate_meter_event` refusal, once the idempotency key has expired, counts as sent).
 * @returns whether a request was made (false: already sent)
 * @throws AppError `unavailable` / `bad_gateway` when Stripe fails (the step retries)
 */
export async function sendMeterReport(reportId: string): Promise<{ sent: boolean }> {
  const db = getDb();
  const report = await findMeterReport(db, { id: reportId });
  if (!report || report.sentAt) return { sent: false };
  await callStripe("reporting metered model spend", (stripe) =>
    stripe.billing.meterEvents
      .create(
      {
        event_name: env.STRIPE_METER_EVENT_NAME,
        identifier: report.identifier,
        timestamp: Math.floor(report.createdAt.getTime() / 1000),
        payload: { stripe_customer_id: report.stripeCustomerId, value: String(report.valueUsdMicros) },
      },
      { idempotencyKey: `meter-${report.identifier}` },
    )
      // Stripe already has an event with this identifier (sent before a crash, after the idempotency
      // key expired): it was delivered, and it is not counted twice.
      .catch((error: unknown) => {
        if (error instanceof Stripe.errors.StripeError && error.code === "duplicate_meter_event") return null;
        throw error;
      }),
  );
  await markMeterReportSent(db, { id: report.id });
  return { sent: true };
}
