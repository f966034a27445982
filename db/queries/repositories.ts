import { and, eq } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { repositories } from "@/db/schema";
import type { RepositoryRow } from "./squads";

type Scope = { organizationId: string };

/**
 * Changes a repository's settings (name, default branch, test command, encrypted webhook secret).
 * @returns the updated row, or undefined when it is not a repository of the organization
 */
export async function updateRepositoryRow(
  db: DbOrTx,
  q: Scope & { repositoryId: string },
  values: Partial<Pick<typeof repositories.$inferInsert, "name" | "defaultBranch" | "testCommand" | "webhookSecretEncrypted">>,
): Promise<RepositoryRow | undefined> {
  const [row] = await db
    .update(repositories)
    .set(values)
    .where(and(eq(repositories.organizationId, q.organizationId), eq(repositories.id, q.repositoryId)))
    .returning();
  return row;
}

/**
 * Deletes a repository of the organization (squads bound to it and its tasks keep existing, with
 * no repository).
 * @returns the deleted row, or undefined when there was none
 */
export async function deleteRepositoryRow(db: DbOrTx, q: Scope & { repositoryId: string }): Promise<RepositoryRow | undefined> {
  const [row] = await db
    .delete(repositories)
    .where(and(eq(repositories.organizationId, q.organizationId), eq(repositories.id, q.repositoryId)))
    .returning();
  return row;
}
