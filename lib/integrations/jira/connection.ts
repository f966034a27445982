import { randomBytes } from "node:crypto";
import type { Database, DbOrTx } from "@/db/client";
import { deleteJiraConnection, findJiraConnection, upsertJiraConnection, type JiraConnectionRow } from "@/db/queries/jira";
import { findRepository } from "@/db/queries/squads";
import { withTenant } from "@/db/tenant";
import { recordAudit, type AuditActor } from "@/lib/audit/record-audit";
import { encryptSecret } from "@/lib/crypto/secrets";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { getJiraAccount, jiraClientForConnection } from "./client";
import { defaultJiraStatusMapping, type JiraConnectionInput } from "./schemas";

export { defaultJiraStatusMapping, jiraConnectionInputSchema, type JiraConnectionInput } from "./schemas";

/** `<APP_URL>/api/webhooks/jira/<connection id>`: the URL to paste into Jira's webhook settings. */
export function jiraWebhookUrlFor(connectionId: string): string {
  return new URL(`/api/webhooks/jira/${connectionId}`, env.APP_URL).toString();
}

/** `https://site/browse/KEY-1`: the issue's page for people. */
export function jiraIssueUrl(siteUrl: string, issueKey: string): string {
  return new URL(`/browse/${encodeURIComponent(issueKey)}`, `${siteUrl}/`).toString();
}

/** The site's origin without a trailing slash (`https://team.atlassian.net`). */
export function normalizeSiteUrl(siteUrl: string): string {
  return new URL(siteUrl).origin;
}

/** The public JSON of a connection: never the API token or the webhook secret. Dates ISO-8601. */
export function serializeJiraConnection(row: JiraConnectionRow) {
  return {
    id: row.id,
    siteUrl: row.siteUrl,
    accountEmail: row.accountEmail,
    projectKeys: row.projectKeys,
    trigger: row.trigger,
    projectRepositories: Object.entries(row.projectRepositories).map(([projectKey, repositoryId]) => ({ projectKey, repositoryId })),
    statusMapping: { ...defaultJiraStatusMapping, ...row.statusMapping },
    syncSubtasks: row.syncSubtasks,
    webhookUrl: jiraWebhookUrlFor(row.id),
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}
export type JiraConnectionJson = ReturnType<typeof serializeJiraConnection>;

/**
 * The organization's Jira connection as the API shows it, read under row-level security.
 * @returns the connection JSON, or null when the organization has not connected Jira
 */
export async function getJiraConnectionJson(db: Database, organizationId: string): Promise<JiraConnectionJson | null> {
  const row = await withTenant(db, organizationId, (tx) => findJiraConnection(tx, { organizationId }));
  return row ? serializeJiraConnection(row) : null;
}

/**
 * Creates or updates the organization's Jira connection (under row-level security, audited as
 * `organization.updated` with target type `jira_connection`, without secrets). A new connection (or
 * `rotateWebhookSecret`) gets a fresh 32-byte hex webhook secret, returned in plaintext only then.
 * The API token and the secret are stored encrypted.
 * @returns the connection JSON plus `webhookSecret` when one was made, and `created`
 * @throws AppError `invalid_input` (no `apiToken` for a new connection; a mapping for a project not
 *   in `projectKeys`; `SQUADRON_HOSTED=1` and a site that is not `https://<name>.atlassian.net`),
 *   `not_found` (a mapped repository that is not the organization's)
 */
export async function saveJiraConnection(
  db: Database,
  ctx: { organizationId: string; actor: AuditActor },
  input: JiraConnectionInput,
): Promise<JiraConnectionJson & { created: boolean; webhookSecret?: string }> {
  const { organizationId } = ctx;
  const siteUrl = normalizeSiteUrl(input.siteUrl);
  if (env.SQUADRON_HOSTED && !/^https:\/\/[a-z0-9-]+\.atlassian\.net$/i.test(siteUrl)) {
    // A hosted service must not make requests to any address a tenant types (internal services).
    throw invalid("siteUrl", "siteUrl must be a Jira Cloud site, https://<name>.atlassian.net");
  }
  const keys = new Set(input.projectKeys);
  for (const [i, m] of input.projectRepositories.entries()) {
    if (!keys.has(m.projectKey)) throw invalid(`projectRepositories.${i}.projectKey`, `${m.projectKey} is not one of projectKeys`);
  }
  const apiTokenEncrypted = input.apiToken ? await encryptSecret(input.apiToken) : null;
  const newSecret = randomBytes(32).toString("hex");
  const newSecretEncrypted = await encryptSecret(newSecret);

  return withTenant(db, organizationId, async (tx) => {
    for (const m of input.projectRepositories) {
      if (!(await findRepository(tx, { organizationId, repositoryId: m.repositoryId }))) throw new AppError("not_found", "Repository not found");
    }
    const existing = await findJiraConnection(tx, { organizationId });
    const storedToken = apiTokenEncrypted ?? existing?.apiTokenEncrypted;
    if (!storedToken) throw invalid("apiToken", "apiToken is required to connect Jira (create one at id.atlassian.com → Security → API tokens)");
    const keptSecret = input.rotateWebhookSecret === true ? undefined : existing?.webhookSecretEncrypted;
    const makeSecret = keptSecret === undefined;
    const { row, created } = await upsertJiraConnection(tx, {
      organizationId,
      siteUrl,
      accountEmail: input.accountEmail,
      apiTokenEncrypted: storedToken,
      webhookSecretEncrypted: keptSecret ?? newSecretEncrypted,
      projectKeys: [...keys],
      trigger: input.trigger,
      projectRepositories: Object.fromEntries(input.projectRepositories.map((m) => [m.projectKey, m.repositoryId])),
      statusMapping: input.statusMapping,
      syncSubtasks: input.syncSubtasks,
    });
    await recordAudit(tx, {
      organizationId,
      actor: ctx.actor,
      action: "organization.updated",
      targetType: "jira_connection",
      targetId: row.id,
      data: { change: created ? "jira.connected" : "jira.updated", siteUrl, projectKeys: row.projectKeys, webhookSecretRotated: makeSecret && !created },
    });
    return { ...serializeJiraConnection(row), created, ...(makeSecret ? { webhookSecret: newSecret } : {}) };
  });
}

/**
 * Disconnects Jira: deletes the connection and its issue links (tasks stay). Audited.
 * @throws AppError `not_found` when there is no connection
 */
export async function removeJiraConnection(db: Database, ctx: { organizationId: string; actor: AuditActor }): Promise<void> {
  await withTenant(db, ctx.organizationId, async (tx: DbOrTx) => {
    const existing = await findJiraConnection(tx, { organizationId: ctx.organizationId });
    if (!existing || !(await deleteJiraConnection(tx, { organizationId: ctx.organizationId }))) {
      throw new AppError("not_found", "Jira is not connected");
    }
    await recordAudit(tx, {
      organizationId: ctx.organizationId,
      actor: ctx.actor,
      action: "organization.updated",
      targetType: "jira_connection",
      targetId: existing.id,
      data: { change: "jira.disconnected", siteUrl: existing.siteUrl },
    });
  });
}

function invalid(path: string, message: string): AppError {
  return new AppError("invalid_input", `Invalid request body: ${path}: ${message}`, { issues: [{ path, message }] });
}

/**
 * Tries the stored credentials against the site (`GET /rest/api/3/myself` through `jira.js`).
 * A refusal or an unreachable site is an answer (`ok: false` with Jira's words), not an error.
 * @returns `{ ok: true, accountId, displayName }` or `{ ok: false, message }`
 * @throws AppError `not_found` when Jira is not connected
 */
export async function testJiraConnection(
  db: Database,
  organizationId: string,
): Promise<{ ok: true; accountId: string; displayName: string | null } | { ok: false; message: string }> {
  const row = await withTenant(db, organizationId, (tx) => findJiraConnection(tx, { organizationId }));
  if (!row) throw new AppError("not_found", "Jira is not connected: PUT /api/v1/integrations/jira first");
  try {
    const account = await getJiraAccount(await jiraClientForConnection(row));
    return { ok: true, ...account };
  } catch (error) {
    return { ok: false, message: error instanceof Error ? error.message : String(error) };
  }
}
