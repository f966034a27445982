import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { getPageContext } from "@/app/_lib/page-context";
import { LocalTime } from "@/components/local-time";
import { Alert } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { formatUsdMicros } from "@/components/tasks/format";
import { getDb } from "@/db/client";
import { listRefusals } from "@/db/queries/billing";
import { withTenant } from "@/db/tenant";
import { allows } from "@/lib/auth/permissions";
import { getBillingOverview } from "@/lib/billing/get-billing-overview";
import { paidPlanIds, plans } from "@/lib/billing/plans";
import { BillingActions } from "./billing-actions";

export const metadata: Metadata = { title: "Billing" };
export const dynamic = "force-dynamic";

const statusTone = { none: "zinc", active: "green", past_due: "amber", restricted: "red", canceled: "zinc" } as const;
const statusLabel = { none: "no subscription", active: "active", past_due: "past due", restricted: "restricted", canceled: "canceled" } as const;

function UsageBar({ label, used, limit, format = String }: { label: string; used: number; limit: number | null; format?: (n: number) => string }) {
  const pct = limit === null || limit === 0 ? (limit === 0 && used > 0 ? 100 : 0) : Math.min(100, Math.round((used / limit) * 100));
  const full = limit !== null && used >= limit;
  return (
    <div data-testid="usage-bar" data-label={label}>
      <div className="flex justify-between text-sm">
        <span className="font-medium text-zinc-800">{label}</span>
        <span className={full ? "font-medium text-red-700" : "text-zinc-600"}>
          {format(used)} of {limit === null ? "unlimited" : format(limit)}
        </span>
      </div>
      <div
        className="mt-1 h-2 overflow-hidden rounded-full bg-zinc-100"
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={limit ?? undefined}
        aria-valuenow={used}
      >
        <div className={`h-full ${full ? "bg-red-500" : pct > 80 ? "bg-amber-500" : "bg-indigo-500"}`} style={{ width: `${limit === null ? 0 : pct}%` }} />
      </div>
    </div>
  );
}

export default async function BillingPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const ctx = await getPageContext();
  if (!ctx) redirect("/sign-in?next=/settings/billing");
  const { checkout } = await searchParams;
  const manage = allows(ctx.permissions, { organization: ["update"] });
  // Same data as `GET /api/v1/billing`.
  const [overview, refusals] = await withTenant(getDb(), ctx.organizationId, async (tx) => [
    await getBillingOverview(tx, ctx.organizationId),
    await listRefusals(tx, { organizationId: ctx.organizationId, limit: 10 }),
  ] as const);
  const { plan, limits, usage } = overview;
  const catalog = plans();
  const offers = paidPlanIds.map((id) => catalog[id]).filter((p) => p.stripePriceId !== null && p.id !== plan.id);
  const subscribed = overview.status === "active" || overview.status === "past_due" || overview.status === "restricted";

  return (
    <div className="space-y-4">
      {checkout === "success" ? (
        <Alert tone="info" title="Thank you">
          Stripe is confirming the payment; the plan changes here as soon as it does (usually within seconds).
        </Alert>
      ) : null}
      {overview.status === "past_due" ? (
        <Alert tone="error" title="Payment failed" data-testid="past-due-banner">
          The last payment for the {plan.name} plan failed. Update the payment method in the billing portal
          {overview.graceEndsAt ? (
            <>
              {" "}before <LocalTime iso={overview.graceEndsAt} />
            </>
          ) : null}
          ; after that, new tasks are refused (running tasks finish).
        </Alert>
      ) : null}
      {overview.status === "restricted" ? (
        <Alert tone="error" title="New tasks are paused" data-testid="past-due-banner">
          The payment for the {plan.name} plan is overdue and the grace period ended: new tasks are refused until it is paid. Running tasks finish.
        </Alert>
      ) : null}

      <Card aria-labelledby="plan-heading">
        <CardHeader
          headingId="plan-heading"
          title={
            <span className="flex items-center gap-2">
              <span data-testid="plan-name">{plan.name} plan</span>
              <Badge tone={statusTone[overview.status]}>{statusLabel[overview.status]}</Badge>
            </span>
          }
          description={
            overview.billingEnabled ? (
              <>
                {plan.monthlyPriceUsdCents > 0 ? `$${(plan.monthlyPriceUsdCents / 100).toFixed(0)} per month. ` : null}
                {overview.cancelAtPeriodEnd ? "Ends on " : subscribed ? "Renews on " : "Quotas reset on "}
                <LocalTime iso={overview.periodEnd} />.
              </>
            ) : (
              "Billing is off on this deployment (no STRIPE_SECRET_KEY): one unlimited self-hosted plan, and you pay your model providers directly."
            )
          }
          actions={
            overview.billingEnabled ? (
              <BillingActions
                manage={manage}
                offers={offers.map((p) => ({ id: p.id, name: p.name, monthlyPriceUsdCents: p.monthlyPriceUsdCents }))}
                canUpgrade={!subscribed}
                hasCustomer={overview.hasCustomer}
              />
            ) : null
          }
        />
        <CardBody className="space-y-4">
          <UsageBar label="Tasks this period" used={usage.tasks} limit={limits.tasksPerMonth} />
          <UsageBar label="Model spend this period" used={usage.spendUsdMicros} limit={limits.spendLimitUsdMicros} format={formatUsdMicros} />
          <UsageBar label="Seats" used={usage.seats} limit={limits.seats} />
          <UsageBar label="Repositories" used={usage.repositories} limit={limits.repositories} />
          {plan.metered && limits.includedSpendUsdMicros !== null ? (
            <p className="text-xs text-zinc-500">
              {formatUsdMicros(limits.includedSpendUsdMicros)} of model spend is included; spend above it is billed as metered usage. At{" "}
              {limits.spendLimitUsdMicros === null ? "no limit" : formatUsdMicros(limits.spendLimitUsdMicros)} runs pause and ask before going on.
            </p>
          ) : null}
          {!manage ? (
            <p className="text-xs text-zinc-500" data-testid="billing-read-only">
              Only owners and admins can change the plan or manage billing. Your role here is {ctx.role}.
            </p>
          ) : null}
        </CardBody>
      </Card>

      {overview.billingEnabled ? (
        <Card aria-labelledby="invoices-heading">
          <CardHeader
            headingId="invoices-heading"
            title="Invoices"
            description={
              overview.hasCustomer
                ? "Invoices, receipts and the payment method are in Stripe's billing portal (Manage billing)."
                : "No invoices yet: they appear in the billing portal once you subscribe."
            }
          />
        </Card>
      ) : null}

      {refusals.length > 0 ? (
        <Card aria-labelledby="refusals-heading">
          <CardHeader headingId="refusals-heading" title="Refused tasks" description="Tasks from GitHub or Jira that arrived over the plan's quota, newest first." />
          <ul className="divide-y divide-zinc-100">
            {refusals.map((r) => (
              <li key={r.taskId} className="px-4 py-3 text-sm sm:px-5" data-testid="refusal-row">
                <a href={`/tasks/${r.taskId}`} className="font-medium text-indigo-600 hover:text-indigo-500">
                  {r.title}
                </a>{" "}
                <span className="text-xs text-zinc-500">
                  ({r.source}, <LocalTime iso={r.createdAt.toISOString()} />)
                </span>
                <p className="text-xs text-zinc-600">{r.reason}</p>
              </li>
            ))}
          </ul>
        </Card>
      ) : null}
    </div>
  );
}
