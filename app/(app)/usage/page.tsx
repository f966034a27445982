import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { getPageContext } from "@/app/_lib/page-context";
import { SpendChart, type DailySpend } from "@/components/charts/spend-chart";
import { TokensChart } from "@/components/charts/tokens-chart";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { getDb } from "@/db/client";
import { withTenant } from "@/db/tenant";
import { findOrganizationBudget } from "@/db/queries/usage";
import { spendByDay, tokensByTask } from "@/db/queries/usage-insights";

export const metadata: Metadata = { title: "Usage" };
export const dynamic = "force-dynamic";

function byDay(rows: { day: string; key: string; costUsdMicros: number }[]): DailySpend[] {
  const days = new Map<string, Record<string, number>>();
  for (const r of rows) days.set(r.day, { ...days.get(r.day), [r.key]: r.costUsdMicros });
  return [...days].map(([day, byKey]) => ({ day, byKey }));
}

export default async function UsagePage() {
  const ctx = await getPageContext();
  if (!ctx) redirect("/sign-in?next=/usage");
  const now = new Date();
  // The calendar month (UTC), as budgets count it.
  const from = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
  const scope = { organizationId: ctx.organizationId, from, to: now };
  const { role, model, budget, tokens } = await withTenant(getDb(), ctx.organizationId, async (tx) => ({
    role: await spendByDay(tx, { ...scope, by: "role" }),
    model: await spendByDay(tx, { ...scope, by: "model" }),
    budget: await findOrganizationBudget(tx, { organizationId: ctx.organizationId }),
    tokens: await tokensByTask(tx, { ...scope, limit: 15 }),
  }));
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">Usage</h1>
        <p className="mt-1 text-sm text-zinc-600">Model spend this month from the usage ledger, against the organization&apos;s monthly budget.</p>
      </div>
      <Card aria-labelledby="spend-heading">
        <CardHeader headingId="spend-heading" title="Spend per day" description={
            budget ? (
              "Dashed line: the monthly budget"
            ) : (
              <>
                No monthly budget is set: it is the &ldquo;Organization budget per month&rdquo; of any squad in{" "}
                <Link href="/settings/squads" className="font-medium text-indigo-700 underline underline-offset-2">
                  Settings → Squads
                </Link>
                .
              </>
            )
          }
        />
        <CardBody>
          <SpendChart byRole={byDay(role)} byModel={byDay(model)} monthlyBudgetUsdMicros={budget} />
        </CardBody>
      </Card>
      <Card aria-labelledby="tokens-heading">
        <CardHeader headingId="tokens-heading" title="Tokens per task" description="The 15 tasks that used the most tokens this month" />
        <CardBody>
          <TokensChart tasks={tokens} />
        </CardBody>
      </Card>
    </div>
  );
}
