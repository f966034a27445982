import { randomBytes } from "node:crypto";
import path from "node:path";
import type { DbOrTx } from "@/db/client";
import { agents, repositories, squads, type AgentRole } from "@/db/schema";
import { encryptSecret } from "@/lib/crypto/secrets";
import { env } from "@/lib/env";

/** Name and folder (under `<DATA_DIR>/repos/`) of the bundled example repository, copied from `examples/todo-api`. */
export const EXAMPLE_REPOSITORY = { name: "todo-api", folder: "todo-api", testCommand: "npm test" } as const;

/** The roles of a new organization's default squad, in the order they work. */
export const DEFAULT_SQUAD_ROLES: { role: AgentRole; name: string }[] = [
  { role: "product_manager", name: "Product manager" },
  { role: "developer", name: "Developer" },
  { role: "qa_engineer", name: "QA engineer" },
  { role: "tech_lead", name: "Tech lead" },
];

/** A fresh webhook secret: 32 random bytes, hex (64 chars). */
export function newWebhookSecret(): string {
  return randomBytes(32).toString("hex");
}

/** Absolute path of the bundled example repository for this deployment's `DATA_DIR`. */
export function exampleRepositoryPath(): string {
  return path.resolve(env.DATA_DIR, "repos", EXAMPLE_REPOSITORY.folder);
}

/**
 * Creates an organization's default squad (product manager, developer, QA engineer, tech lead) bound
 * to the bundled example repository. Call inside the transaction that creates the organization.
 * @returns the new squad's and repository's ids
 */
export async function createDefaultSquad(
  tx: DbOrTx,
  organizationId: string,
): Promise<{ squadId: string; repositoryId: string }> {
  const [repository] = await tx
    .insert(repositories)
    .values({
      organizationId,
      name: EXAMPLE_REPOSITORY.name,
      localPath: exampleRepositoryPath(),
      testCommand: EXAMPLE_REPOSITORY.testCommand,
      webhookSecretEncrypted: await encryptSecret(newWebhookSecret()),
    })
    .returning({ id: repositories.id });
  const [squad] = await tx
    .insert(squads)
    .values({ organizationId, name: "Default squad", repositoryId: repository.id })
    .returning({ id: squads.id });
  await tx
    .insert(agents)
    .values(DEFAULT_SQUAD_ROLES.map((a) => ({ organizationId, squadId: squad.id, role: a.role, name: a.name })));
  return { squadId: squad.id, repositoryId: repository.id };
}
