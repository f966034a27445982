import { existsSync, statSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import type { Database, DbOrTx } from "@/db/client";
import { insertRepository, listRepositories, type RepositoryRow } from "@/db/queries/squads";
import { encryptSecret } from "@/lib/crypto/secrets";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { resolveLocalRepositoryPath } from "@/lib/repositories/local-roots";
import { newWebhookSecret } from "@/lib/squads/default-squad";

/** Body of `POST /api/v1/repositories`. */
export const createRepositoryInputSchema = z
  .object({
    name: z.string().trim().min(1, "Name is required").max(100),
    localPath: z.string().trim().min(1).max(1_000).optional(),
    githubFullName: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, "githubFullName must look like owner/name")
      .optional(),
    defaultBranch: z.string().trim().min(1).max(200).default("main"),
    testCommand: z.string().trim().min(1).max(1_000).default("npm test"),
  })
  .refine((r) => r.localPath !== undefined || r.githubFullName !== undefined, {
    message: "Give localPath or githubFullName",
    path: ["localPath"],
  });
export type CreateRepositoryInput = z.output<typeof createRepositoryInputSchema>;

/** The URL GitHub should deliver this repository's webhooks to. */
export function webhookUrlFor(repositoryId: string): string {
  return new URL(`/api/webhooks/github/${repositoryId}`, env.APP_URL).toString();
}

/**
 * Registers a repository for the organization and generates its webhook secret. A `localPath` must lie
 * inside one of `LOCAL_REPOSITORY_ROOTS` (default `<DATA_DIR>/repos`, see `resolveLocalRepositoryPath`)
 * and is stored as its real path (symlinks resolved).
 * The secret is stored encrypted (`repositories.webhook_secret_encrypted`).
 * @returns the repository with `webhookUrl` and `webhookSecret` in plaintext (the only time the secret is shown)
 * @throws AppError `invalid_input` (422) when `localPath` is outside the allowed roots (the message names
 *   them) or is not an existing git repository
 */
export async function createRepository(db: Database, organizationId: string, input: CreateRepositoryInput) {
  let localPath: string | null = null;
  if (input.localPath) {
    localPath = await resolveLocalRepositoryPath(input.localPath);
    if (!existsSync(localPath) || !statSync(localPath).isDirectory() || !existsSync(path.join(localPath, ".git"))) {
      throw new AppError("invalid_input", `localPath ${input.localPath} is not an existing git repository`, {
        issues: [{ path: "localPath", message: "not an existing git repository" }],
      });
    }
  }
  const webhookSecret = newWebhookSecret();
  const row = await insertRepository(db, {
    organizationId,
    name: input.name,
    localPath,
    githubFullName: input.githubFullName ?? null,
    defaultBranch: input.defaultBranch,
    testCommand: input.testCommand,
    webhookSecretEncrypted: await encryptSecret(webhookSecret),
  });
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
