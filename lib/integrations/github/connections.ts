import type { Database, DbOrTx } from "@/db/client";
import {
  deleteGithubConnection,
  insertGithubConnection,
  listGithubConnections,
  updateGithubConnection,
  type GithubConnectionRow,
} from "@/db/queries/github-connections";
import { listRepositories } from "@/db/queries/squads";
import { recordAudit, type AuditActor } from "@/lib/audit/record-audit";
import { encryptSecret } from "@/lib/crypto/secrets";
import { env } from "@/lib/env";
import { notFound } from "@/lib/errors";
import { webhookUrlFor } from "@/lib/repositories/create-repository";
import { githubErrorMessage, listAppRepositories, resolveGithubCredentials } from "./credentials";
import type { GithubConnectionInput, GithubIntegration } from "./schemas";

/** Where a GitHub App delivers its webhooks: `<APP_URL>/api/webhooks/github/app/<connection id>`. */
export function appWebhookUrlFor(connectionId: string): string {
  return new URL(`/api/webhooks/github/app/${connectionId}`, env.APP_URL).toString();
}

/** A connection without its secrets. */
export function serializeGithubConnection(row: GithubConnectionRow) {
  return {
    id: row.id,
    kind: row.kind,
    appId: row.appId,
    installationId: row.installationId,
    repositoryFullName: row.repositoryFullName,
    webhookUrl: row.kind === "app" ? appWebhookUrlFor(row.id) : null,
    createdAt: row.createdAt.toISOString(),
  };
}

/**
 * The organization's GitHub integration: `GITHUB_API_URL`, whether `GITHUB_TOKEN` is set, its
 * connections (no secrets) and each registered GitHub repository with the credentials that reach it
 * (checked by resolving them: for an app this asks GitHub for the installation).
 */
export async function getGithubIntegration(db: DbOrTx, q: { organizationId: string }): Promise<GithubIntegration> {
  const [connections, repositories] = await Promise.all([listGithubConnections(db, q), listRepositories(db, q)]);
  const onGithub = repositories.filter((r) => r.githubFullName);
  const reached = await Promise.all(
    onGithub.map(async (r) => {
      const fullName = r.githubFullName ?? "";
      try {
        const creds = await resolveGithubCredentials(db, { organizationId: q.organizationId, fullName });
        return { reachedBy: creds?.source ?? null, error: null };
      } catch (error) {
        return { reachedBy: null, error: githubErrorMessage(error) };
      }
    }),
  );
  const reaches = await Promise.all(
    connections.map(async (c) => {
      if (c.kind === "token") return { repositories: c.repositoryFullName ? [c.repositoryFullName] : [], error: null };
      try {
        return { repositories: await listAppRepositories(c), error: null };
      } catch (error) {
        return { repositories: [], error: githubErrorMessage(error) };
      }
    }),
  );
  return {
    apiUrl: env.GITHUB_API_URL,
    fallbackToken: Boolean(env.GITHUB_TOKEN),
    connections: connections.map((c, i) => ({ ...serializeGithubConnection(c), reaches: reaches[i] })),
    repositories: onGithub.map((r, i) => ({
      id: r.id,
      name: r.name,
      fullName: r.githubFullName ?? "",
      webhookUrl: webhookUrlFor(r.id),
      ...reached[i],
    })),
  };
}

/**
 * Saves a connection, secrets encrypted: a token replaces the repository's previous token, an app
 * replaces the organization's previous app (one row each, updated in place). Audited
 * (`github_connection.saved`, without secrets) in the same transaction.
 * @returns the connection (no secrets) and whether it is new
 */
export async function saveGithubConnection(
  db: Database,
  q: { organizationId: string; actor: AuditActor },
  input: GithubConnectionInput,
): Promise<{ connection: ReturnType<typeof serializeGithubConnection>; created: boolean }> {
  const values =
    input.kind === "token"
      ? { kind: "token" as const, repositoryFullName: input.repositoryFullName, tokenEncrypted: await encryptSecret(input.token) }
      : {
          kind: "app" as const,
          appId: input.appId,
          installationId: input.installationId ?? null,
          privateKeyEncrypted: await encryptSecret(input.privateKey),
          webhookSecretEncrypted: await encryptSecret(input.webhookSecret),
        };
  const audit = (tx: DbOrTx, row: GithubConnectionRow, created: boolean) =>
    recordAudit(tx, {
      organizationId: q.organizationId,
      actor: q.actor,
      action: "github_connection.saved",
      targetType: "github_connection",
      targetId: row.id,
      data: { kind: row.kind, repositoryFullName: row.repositoryFullName, appId: row.appId, created },
    });
  return db.transaction(async (tx) => {
    const existing = (await listGithubConnections(tx, q)).find((c) =>
      input.kind === "token"
        ? c.kind === "token" && c.repositoryFullName?.toLowerCase() === input.repositoryFullName.toLowerCase()
        : c.kind === "app",
    );
    if (existing) {
      const row = await updateGithubConnection(tx, { ...q, connectionId: existing.id }, values);
      if (!row) throw notFound("GitHub connection");
      await audit(tx, row, false);
      return { connection: serializeGithubConnection(row), created: false };
    }
    const row = await insertGithubConnection(tx, { organizationId: q.organizationId, ...values });
    await audit(tx, row, true);
    return { connection: serializeGithubConnection(row), created: true };
  });
}

/** Removes a connection (audited: `github_connection.deleted`). @throws AppError `not_found` when it is not the organization's */
export async function removeGithubConnection(db: Database, q: { organizationId: string; connectionId: string; actor: AuditActor }): Promise<void> {
  await db.transaction(async (tx) => {
    if (!(await deleteGithubConnection(tx, q))) throw notFound("GitHub connection");
    await recordAudit(tx, { organizationId: q.organizationId, actor: q.actor, action: "github_connection.deleted", targetType: "github_connection", targetId: q.connectionId });
  });
}
