import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { getPageContext } from "@/app/_lib/page-context";
import { GithubConnectionForm } from "@/components/integrations/github-connection-form";
import { Alert } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { getDb } from "@/db/client";
import { withTenant } from "@/db/tenant";
import { allows } from "@/lib/auth/permissions";
import { getGithubIntegration } from "@/lib/integrations/github/connections";

export const metadata: Metadata = { title: "GitHub" };

const reachedLabel = { token: "repository token", app: "GitHub App", env: "GITHUB_TOKEN" } as const;

/**
 * Settings → Integrations → GitHub: the organization's connections (app, per-repository tokens; no
 * secrets), the GitHub repositories and what reaches them, the webhook URLs, and the form that saves
 * a token or the app. Read under row-level security, like the other settings pages.
 */
export default async function GithubIntegrationPage() {
  const ctx = await getPageContext();
  if (!ctx) redirect("/sign-in?next=/settings/integrations/github");
  if (!allows(ctx.permissions, { repository: ["read"] })) {
    return (
      <Alert tone="info" title="Not allowed">
        Your role here ({ctx.role}) cannot see repositories.
      </Alert>
    );
  }
  const integration = await withTenant(getDb(), ctx.organizationId, (tx) => getGithubIntegration(tx, { organizationId: ctx.organizationId }));
  const canEdit = allows(ctx.permissions, { repository: ["update"] });
  return (
    <div className="space-y-6">
      <Card aria-labelledby="github-connection-heading">
        <CardHeader
          headingId="github-connection-heading"
          title="GitHub"
          description={`Squadron pushes squad/<task id> branches, opens draft pull requests and comments on issues through ${integration.apiUrl}.`}
        />
        <CardBody className="space-y-4">
          <div data-testid="github-connections">
            {integration.connections.length === 0 ? (
              <p className="text-sm text-zinc-600">
                No connection yet.{integration.fallbackToken ? " GITHUB_TOKEN is set and reaches repositories without their own." : ""}
              </p>
            ) : (
              <ul className="divide-y divide-zinc-100 text-sm">
                {integration.connections.map((c) => (
                  <li key={c.id} className="flex flex-wrap items-center gap-2 py-2">
                    <Badge tone={c.kind === "app" ? "violet" : "blue"}>{c.kind === "app" ? "GitHub App" : "Token"}</Badge>
                    <span className="font-medium">{c.kind === "app" ? `App ${c.appId}` : c.repositoryFullName}</span>
                    {c.kind === "app" ? (
                      <span className="w-full text-xs text-zinc-600" data-testid="github-app-reaches">
                        {c.reaches.error
                          ? `Could not list its repositories: ${c.reaches.error}`
                          : c.reaches.repositories.length > 0
                            ? `Reaches ${c.reaches.repositories.join(", ")}`
                            : "Not installed on any repository yet"}
                      </span>
                    ) : null}
                    {c.webhookUrl ? (
                      <span className="text-zinc-600">
                        Webhook URL: <code className="break-all">{c.webhookUrl}</code>
                      </span>
                    ) : null}
                  </li>
                ))}
              </ul>
            )}
            {integration.fallbackToken && integration.connections.length > 0 ? (
              <p className="mt-2 text-xs text-zinc-500">GITHUB_TOKEN is set: repositories without a connection use it.</p>
            ) : null}
          </div>
        </CardBody>
      </Card>
      <Card aria-labelledby="github-repositories-heading">
        <CardHeader headingId="github-repositories-heading" title="Repositories" description="Registered repositories with a GitHub name, what reaches them, and where their webhook points." />
        <CardBody>
          {integration.repositories.length === 0 ? (
            <p className="text-sm text-zinc-600">No repository has a GitHub name yet (POST /api/v1/repositories with githubFullName).</p>
          ) : (
            <table className="w-full text-left text-sm" data-testid="github-repositories">
              <thead className="text-xs text-zinc-500">
                <tr>
                  <th className="py-1 pr-3 font-medium">Repository</th>
                  <th className="py-1 pr-3 font-medium">Reached by</th>
                  <th className="py-1 font-medium">Webhook URL</th>
                </tr>
              </thead>
              <tbody className="divide-y divide-zinc-100">
                {integration.repositories.map((r) => (
                  <tr key={r.id}>
                    <td className="py-2 pr-3 font-medium">{r.fullName}</td>
                    <td className="py-2 pr-3">
                      {r.reachedBy ? reachedLabel[r.reachedBy] : <span className="text-amber-700">nothing{r.error ? ` (${r.error})` : ""}</span>}
                    </td>
                    <td className="py-2">
                      <code className="break-all text-xs">{r.webhookUrl}</code>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </CardBody>
      </Card>
      {canEdit ? (
        <Card aria-labelledby="github-form-heading">
          <CardHeader headingId="github-form-heading" title="Add a connection" description="A token for one repository, or your GitHub App. Secrets are stored encrypted and never shown again." />
          <CardBody>
            <GithubConnectionForm repositories={integration.repositories.map((r) => r.fullName)} />
          </CardBody>
        </Card>
      ) : (
        <Alert tone="info" title="Read only">
          Only owners and admins can change the GitHub connection.
        </Alert>
      )}
    </div>
  );
}
