import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { getPageContext } from "@/app/_lib/page-context";
import { Alert } from "@/components/ui/alert";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { getDb } from "@/db/client";
import { findJiraConnection } from "@/db/queries/jira";
import { listRepositories } from "@/db/queries/squads";
import { withTenant } from "@/db/tenant";
import { allows } from "@/lib/auth/permissions";
import { serializeJiraConnection } from "@/lib/integrations/jira/connection";
import { JiraConnectionForm, type JiraFormInitial } from "./jira-connection-form";

export const metadata: Metadata = { title: "Jira" };

/**
 * Settings → Integrations → Jira: the organization's Jira Cloud connection (site, account, webhook
 * URL, projects, trigger, repository per project, status mapping; never the token or the secret)
 * and, for owners and admins, the form that connects or changes it. Read under row-level security.
 */
export default async function JiraIntegrationPage() {
  const ctx = await getPageContext();
  if (!ctx) redirect("/sign-in?next=/settings/integrations/jira");
  if (!allows(ctx.permissions, { repository: ["read"] })) {
    return (
      <Alert tone="info" title="Not allowed">
        Your role here ({ctx.role}) cannot see integrations.
      </Alert>
    );
  }
  const { organizationId } = ctx;
  const { row, repositories } = await withTenant(getDb(), organizationId, async (tx) => ({
    row: await findJiraConnection(tx, { organizationId }),
    repositories: await listRepositories(tx, { organizationId }),
  }));
  const connection = row ? serializeJiraConnection(row) : null;
  const repositoryName = new Map(repositories.map((r) => [r.id, r.name]));
  const canEdit = allows(ctx.permissions, { organization: ["update"] });
  const initial: JiraFormInitial = connection
    ? {
        siteUrl: connection.siteUrl,
        accountEmail: connection.accountEmail,
        projectKeys: connection.projectKeys,
        trigger: connection.trigger,
        projectRepositories: connection.projectRepositories,
        statusMapping: connection.statusMapping,
        syncSubtasks: connection.syncSubtasks,
      }
    : null;

  return (
    <div className="space-y-6">
      <Card aria-labelledby="jira-connection-heading">
        <CardHeader
          headingId="jira-connection-heading"
          title="Jira"
          description="A labelled (or assigned) Jira issue becomes a task; the squad comments when it starts and ends and moves the issue through your workflow."
        />
        <CardBody className="space-y-3 text-sm" data-testid="jira-connection">
          {connection ? (
            <dl className="grid gap-x-4 gap-y-2 sm:grid-cols-[12rem_1fr]">
              <dt className="text-zinc-500">Site</dt>
              <dd>
                <a className="text-indigo-700 hover:underline" href={connection.siteUrl}>
                  {connection.siteUrl}
                </a>{" "}
                as {connection.accountEmail}
              </dd>
              <dt className="text-zinc-500">Webhook URL</dt>
              <dd>
                <code className="break-all" data-testid="jira-webhook-url">
                  {connection.webhookUrl}
                </code>
              </dd>
              <dt className="text-zinc-500">Webhook events</dt>
              <dd>Issue: created, updated — with the connection&apos;s secret (Jira → Settings → System → WebHooks)</dd>
              <dt className="text-zinc-500">Projects</dt>
              <dd>{connection.projectKeys.join(", ")}</dd>
              <dt className="text-zinc-500">Trigger</dt>
              <dd>{connection.trigger.kind === "label" ? `label “${connection.trigger.label}”` : `assigned to account ${connection.trigger.accountId}`}</dd>
              <dt className="text-zinc-500">Repositories</dt>
              <dd>
                {connection.projectRepositories.length === 0
                  ? "the default squad's, for every project"
                  : connection.projectRepositories.map((m) => `${m.projectKey} → ${repositoryName.get(m.repositoryId) ?? "(removed)"}`).join(", ")}
              </dd>
              <dt className="text-zinc-500">Statuses</dt>
              <dd>
                start → {connection.statusMapping.started ?? "(unchanged)"}, delivered → {connection.statusMapping.inReview ?? "(unchanged)"}, nothing to
                change → {connection.statusMapping.done ?? "(unchanged)"}, failed → {connection.statusMapping.failed ?? "(unchanged)"}
                {connection.syncSubtasks ? "; subtasks as Jira sub-tasks" : ""}
              </dd>
            </dl>
          ) : (
            <p className="text-zinc-600">Jira is not connected yet.</p>
          )}
        </CardBody>
      </Card>
      {canEdit ? (
        <Card aria-labelledby="jira-form-heading">
          <CardHeader
            headingId="jira-form-heading"
            title={connection ? "Change the connection" : "Connect a Jira Cloud site"}
            description="The API token and the webhook secret are stored encrypted and never shown again."
          />
          <CardBody>
            {/* Not keyed by the connection: a remount after saving would drop the one-time webhook secret. */}
            <JiraConnectionForm initial={initial} repositories={repositories.map((r) => ({ id: r.id, name: r.name }))} />
          </CardBody>
        </Card>
      ) : (
        <Alert tone="info" title="Read only">
          Only owners and admins can change the Jira connection.
        </Alert>
      )}
    </div>
  );
}
