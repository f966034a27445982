import type { Database } from "@/db/client";
import { deleteRepositoryRow, updateRepositoryRow } from "@/db/queries/repositories";
import { findRepository } from "@/db/queries/squads";
import { recordAudit, type AuditActor } from "@/lib/audit/record-audit";
import { encryptSecret } from "@/lib/crypto/secrets";
import { notFound } from "@/lib/errors";
import { newWebhookSecret } from "@/lib/squads/default-squad";
import { serializeRepository } from "./create-repository";
import type { UpdateRepositoryData } from "./schemas";

export { updateRepositoryInputSchema } from "./schemas";

type Target = { organizationId: string; repositoryId: string; actor: AuditActor };

/**
 * Changes a repository's name, default branch or test command (audited as `repository.updated` with
 * before/after). Runs already under way keep the values they started with.
 * @returns the repository's public JSON ({@link serializeRepository})
 * @throws AppError `not_found` when it is not a repository of the organization
 */
export async function updateRepository(db: Database, q: Target, input: UpdateRepositoryData) {
  return db.transaction(async (tx) => {
    const before = await findRepository(tx, q);
    if (!before) throw notFound("Repository");
    const changed = Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined));
    const row = Object.keys(changed).length > 0 ? await updateRepositoryRow(tx, q, changed) : before;
    if (!row) throw notFound("Repository");
    await recordAudit(tx, {
      organizationId: q.organizationId,
      actor: q.actor,
      action: "repository.updated",
      targetType: "repository",
      targetId: q.repositoryId,
      data: {
        changed: Object.keys(changed),
        before: { name: before.name, defaultBranch: before.defaultBranch, testCommand: before.testCommand },
        after: { name: row.name, defaultBranch: row.defaultBranch, testCommand: row.testCommand },
      },
    });
    return serializeRepository(row);
  });
}

/**
 * Replaces a repository's webhook secret with a new random one (stored encrypted); deliveries signed
 * with the old secret are refused from now on. Audited as `repository.webhook_secret_rotated` (never
 * the secret itself).
 * @returns the repository's JSON with `webhookSecret` in plaintext (the only time it is shown)
 * @throws AppError `not_found` when it is not a repository of the organization
 */
export async function rotateWebhookSecret(db: Database, q: Target) {
  const webhookSecret = newWebhookSecret();
  const webhookSecretEncrypted = await encryptSecret(webhookSecret);
  return db.transaction(async (tx) => {
    const row = await updateRepositoryRow(tx, q, { webhookSecretEncrypted });
    if (!row) throw notFound("Repository");
    await recordAudit(tx, {
      organizationId: q.organizationId,
      actor: q.actor,
      action: "repository.webhook_secret_rotated",
      targetType: "repository",
      targetId: q.repositoryId,
      data: { name: row.name },
    });
    return { ...serializeRepository(row), webhookSecret };
  });
}

/**
 * Removes a repository from the organization (audited as `repository.deleted`). Squads bound to it
 * lose the binding and its tasks keep their history without a repository; files on disk are not touched.
 * @throws AppError `not_found` when it is not a repository of the organization
 */
export async function deleteRepository(db: Database, q: Target): Promise<void> {
  await db.transaction(async (tx) => {
    const row = await deleteRepositoryRow(tx, q);
    if (!row) throw notFound("Repository");
    await recordAudit(tx, {
      organizationId: q.organizationId,
      actor: q.actor,
      action: "repository.deleted",
      targetType: "repository",
      targetId: q.repositoryId,
      data: { name: row.name, localPath: row.localPath, githubFullName: row.githubFullName },
    });
  });
}
