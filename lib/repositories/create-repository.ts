import { existsSync, statSync } from "node:fs";
import path from "node:path";
import type { Database, DbOrTx } from "@/db/client";
import { insertRepository, listRepositories, type RepositoryRow } from "@/db/queries/squads";
import { recordAudit, type AuditActor } from "@/lib/audit/record-audit";
import { encryptSecret } from "@/lib/crypto/secrets";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { resolveLocalRepositoryPath } from "@/lib/repositories/local-roots";
import { newWebhookSecret } from "@/lib/squads/default-squad";
import type { CreateRepositoryInput } from "./schemas";
import { enforceRepositoryQuota } from "@/lib/billing/resource-quota";
import { requestRepositoryIndex } from "@/lib/knowledge/repository-index";

export { createRepositoryInputSchema, type CreateRepositoryInput } from "./schemas";

/** The URL GitHub should deliver this repository's webhooks to. */
export function webhookUrlFor(repositoryId: string): string {
  return new URL(`/api/webhooks/github/${repositoryId}`, env.APP_URL).toString();
}

/**
 * Registers a repository for the organization and generates its webhook secret. A `localPath` must lie
 * inside one of `LOCAL_REPOSITORY_ROOTS` (default `<DATA_DIR>/repos`, see `resolveLocalRepositoryPath`)
 * and is stored as its real path (symlinks resolved).
 * The secret is stored encrypted (`repositories.webhook_secret_encrypted`); the audit log records
 * `repository.created` by `actor`. With `KNOWLEDGE_AUTO_INDEX` (default on) its code is then queued for
 * indexing (`knowledge/repository.index-requested`).
 * @returns the repository with `webhookUrl` and `webhookSecret` in plaintext (the only time the secret is shown)
 * @throws AppError `invalid_input` (422) when `localPath` is outside the allowed roots (the message names
 *   them) or is not an existing git repository; `conflict` (409) when the same local path and GitHub
 *   name are already registered in the organization
 */
export async function createRepository(db: Database, organizationId: string, input: CreateRepositoryInput, actor: AuditActor = { userId: null }) {
  let localPath: string | null = null;
  if (input.localPath) {
    localPath = await resolveLocalRepositoryPath(input.localPath);
    // A path the user chose at run time: the bundler must not trace it (`turbopackIgnore`).
    if (!existsSync(/*turbopackIgnore: true*/ localPath) || !statSync(/*turbopackIgnore: true*/ localPath).isDirectory() || !existsSync(/*turbopackIgnore: true*/ path.join(/*turbopackIgnore: true*/ localPath, ".git"))) {
      throw new AppError("invalid_input", `localPath ${input.localPath} is not an existing git repository`, {
        issues: [{ path: "localPath", message: "not an existing git repository" }],
      });
    }
  }
  const webhookSecret = newWebhookSecret();
  const webhookSecretEncrypted = await encryptSecret(webhookSecret);
  const row = await db.transaction(async (tx) => {
    // Billing: the plan's repository limit (lib/billing/resource-quota.ts) — 402, nothing stored.
    await enforceRepositoryQuota(tx, organizationId);
    // The same checkout registered twice would be two indistinguishable rows in every picker.
    const githubFullName = input.githubFullName ?? null;
    const twin = (await listRepositories(tx, { organizationId })).find((r) => r.localPath === localPath && r.githubFullName === githubFullName);
    if (twin) {
      throw new AppError("conflict", `This repository is already registered as ${twin.name}`, {
        issues: [{ path: localPath ? "localPath" : "githubFullName", message: `already registered as ${twin.name}` }],
      });
    }
    const inserted = await insertRepository(tx, {
      organizationId,
      name: input.name,
      localPath,
      githubFullName: input.githubFullName ?? null,
      defaultBranch: input.defaultBranch,
      testCommand: input.testCommand,
      webhookSecretEncrypted,
    });
    await recordAudit(tx, {
      organizationId,
      actor,
      action: "repository.created",
      targetType: "repository",
      targetId: inserted.id,
      data: { name: inserted.name, localPath, githubFullName: inserted.githubFullName, testCommand: inserted.testCommand },
    });
    return inserted;
  });
  if (env.KNOWLEDGE_AUTO_INDEX) {
    // Knowledge: index the new repository's code in the background. Registration stands even when the
    // request cannot be sent: the repository page then shows no index and offers "Index now".
    await requestRepositoryIndex(db, { organizationId, repositoryId: row.id, reason: "registered" }).catch((error: unknown) =>
      console.warn(`[knowledge] repository ${row.id} was registered but not queued for indexing: ${error instanceof Error ? error.message : String(error)}`),
    );
  }
  return { ...serializeRepository(row), webhookSecret };
}

/** The public JSON of a repository: never its webhook secret. Dates are ISO-8601. */
export function serializeRepository(row: RepositoryRow) {
  return {
    id: row.id,
    name: row.name,
    localPath: row.localPath,
    githubFullName: row.githubFullName,
    defaultBranch: row.defaultBranch,
    testCommand: row.testCommand,
    createdAt: row.createdAt.toISOString(),
    webhookUrl: webhookUrlFor(row.id),
  };
}

/** The organization's repositories, oldest first, as {@link serializeRepository} shows them. */
export async function listRepositoryJson(db: DbOrTx, q: { organizationId: string }) {
  return (await listRepositories(db, q)).map(serializeRepository);
}
