import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { getPageContext } from "@/app/_lib/page-context";
import { formatUsdMicros } from "@/components/tasks/money";
import { CreateSquadForm } from "@/components/squads/create-squad-form";
import { autonomyOptions } from "@/components/squads/squad-view";
import { Badge } from "@/components/ui/badge";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { getDb } from "@/db/client";
import { withTenant } from "@/db/tenant";
import { allows } from "@/lib/auth/permissions";
import { listRepositoryJson } from "@/lib/repositories/create-repository";
import { listSquadsWithAgents } from "@/lib/squads/list-squads";

export const metadata: Metadata = { title: "Squads" };

export default async function SquadsPage() {
  const ctx = await getPageContext();
  if (!ctx) redirect("/sign-in?next=/settings/squads");
  const scope = { organizationId: ctx.organizationId };
  // Same JSON as `GET /api/v1/squads` and `/repositories`, read under row-level security.
  const { squads, repositories } = await withTenant(getDb(), ctx.organizationId, async (tx) => ({
    squads: await listSquadsWithAgents(tx, scope),
    repositories: await listRepositoryJson(tx, scope),
  }));
  const repoName = new Map(repositories.map((r) => [r.id, r.name]));
  return (
    <div className="space-y-6">
      <Card aria-labelledby="squads-heading">
        <CardHeader headingId="squads-heading" title="Squads" description="Each squad is a team of agents with its own repository, autonomy, policy and budget." />
        <ul role="list" className="divide-y divide-zinc-200">
          {squads.map((s) => (
            <li key={s.id} data-testid="squad-row">
              <Link href={`/settings/squads/${s.id}`} className="flex flex-col gap-1 px-4 py-3 hover:bg-zinc-50 sm:flex-row sm:items-center sm:justify-between sm:px-5">
                <div className="min-w-0">
                  <p className="text-sm font-semibold text-zinc-900" data-testid="squad-name">
                    {s.name}
                  </p>
                  <p className="text-xs text-zinc-600">
                    {s.agents.map((a) => a.name).join(" · ")} — {s.repositoryId ? (repoName.get(s.repositoryId) ?? "repository") : "no repository"}
                  </p>
                </div>
                <div className="flex shrink-0 items-center gap-2 text-xs text-zinc-600">
                  <Badge tone={s.autonomy === "autonomous" ? "blue" : s.autonomy === "supervised" ? "amber" : "violet"}>
                    {autonomyOptions.find((o) => o.value === s.autonomy)?.label}
                  </Badge>
                  <span>{s.budgetUsdMicros !== null ? `${formatUsdMicros(s.budgetUsdMicros)} per task` : "no task budget"}</span>
                  <span>{s.policy.rules.length} rule{s.policy.rules.length === 1 ? "" : "s"}</span>
                </div>
              </Link>
            </li>
          ))}
        </ul>
      </Card>
      {allows(ctx.permissions, { squad: ["create"] }) ? (
        <Card aria-labelledby="create-squad-heading">
          <CardHeader headingId="create-squad-heading" title="New squad" description="Starts with a product manager, a developer, a QA engineer and a tech lead." />
          <CardBody>
            <CreateSquadForm repositories={repositories.map((r) => ({ id: r.id, name: r.name }))} />
          </CardBody>
        </Card>
      ) : null}
    </div>
  );
}
