import type { Metadata } from "next";
import Link from "next/link";
import { notFound, redirect } from "next/navigation";
import { z } from "zod";
import { getPageContext } from "@/app/_lib/page-context";
import { AgentEditor } from "@/components/squads/agent-editor";
import { mcpServerViewSchema } from "@/components/squads/mcp-server-view";
import { McpServers } from "@/components/squads/mcp-servers";
import { PolicyEditor } from "@/components/squads/policy-editor";
import { SquadSettingsForm } from "@/components/squads/squad-settings-form";
import { squadViewSchema } from "@/components/squads/squad-view";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { getDb } from "@/db/client";
import { withTenant } from "@/db/tenant";
import { knownToolNames } from "@/lib/agents/agent-tools";
import { allows } from "@/lib/auth/permissions";
import { stdioAllowed } from "@/lib/mcp-client/connect";
import { listMcpServerJson } from "@/lib/mcp-client/manage";
import { AppError } from "@/lib/errors";
import { listRepositoryJson } from "@/lib/repositories/create-repository";
import { getSquadOrThrow } from "@/lib/squads/get-squad";

export const metadata: Metadata = { title: "Squad" };

export default async function SquadPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const ctx = await getPageContext();
  if (!ctx) redirect(`/sign-in?next=/settings/squads/${encodeURIComponent(id)}`);
  if (!z.uuid().safeParse(id).success) notFound();
  const scope = { organizationId: ctx.organizationId };
  // Same JSON as `GET /api/v1/squads/{id}`, `/repositories` and `/squads/{id}/mcp-servers` (header names,
  // never values), read under row-level security.
  const loaded = await withTenant(getDb(), ctx.organizationId, async (tx) => {
    const squad = await getSquadOrThrow(tx, { ...scope, squadId: id }).catch((e: unknown) => {
      if (e instanceof AppError && e.code === "not_found") return null;
      throw e;
    });
    return {
      squad,
      repositories: await listRepositoryJson(tx, scope),
      mcpServers: squad ? await listMcpServerJson(tx, { ...scope, squadId: id }) : [],
    };
  });
  if (!loaded.squad) notFound();
  const squad = squadViewSchema.parse(loaded.squad);
  const canEdit = allows(ctx.permissions, { squad: ["update"] });
  const repositories = loaded.repositories.map((r) => ({ id: r.id, name: r.name }));
  const servers = loaded.mcpServers.map((s) => mcpServerViewSchema.parse(s));
  return (
    <div className="space-y-6" key={squad.id}>
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <div>
          <Link href="/settings/squads" className="text-sm font-medium text-zinc-600 hover:text-zinc-900">
            ← Squads
          </Link>
          <h2 className="mt-1 text-xl font-semibold tracking-tight" data-testid="squad-title">
            {squad.name}
          </h2>
        </div>
        {!canEdit ? <p className="text-sm text-zinc-600">Read only: owners and admins change squads.</p> : null}
      </div>
      <Card aria-labelledby="squad-settings-heading">
        <CardHeader headingId="squad-settings-heading" title="Settings" description="Name, repository, autonomy and budgets." />
        <CardBody>
          <SquadSettingsForm squad={squad} repositories={repositories} canEdit={canEdit} />
        </CardBody>
      </Card>
      <Card aria-labelledby="policy-heading">
        <CardHeader headingId="policy-heading" title="Policy rules" description="What the squad may do on its own, what a person approves, and what is refused." />
        <CardBody>
          <PolicyEditor squad={squad} canEdit={canEdit} />
        </CardBody>
      </Card>
      <Card aria-labelledby="mcp-servers-heading">
        <CardHeader headingId="mcp-servers-heading" title="MCP servers" description="Tools of other services the squad's agents may call, each decided by the policy first." />
        <CardBody>
          <McpServers squadId={squad.id} initial={servers} canEdit={canEdit} stdioAllowed={stdioAllowed()} />
        </CardBody>
      </Card>
      <Card aria-labelledby="agents-heading">
        <CardHeader headingId="agents-heading" title="Agents" description="Persona, prompt, model route and limits of each member." />
        <CardBody className="space-y-4">
          {squad.agents.map((a) => (
            <AgentEditor key={a.id} squadId={squad.id} agent={a} knownTools={knownToolNames()} canEdit={canEdit} />
          ))}
        </CardBody>
      </Card>
    </div>
  );
}
