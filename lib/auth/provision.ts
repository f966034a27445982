import { randomUUID } from "node:crypto";
import { asc, eq, sql } from "drizzle-orm";
import type { Database } from "@/db/client";
import { member, organization } from "@/db/schema";
import { env } from "@/lib/env";
import { requestRepositoryIndex } from "@/lib/knowledge/repository-index";
import { createDefaultSquad } from "@/lib/squads/default-squad";

function slugify(name: string): string {
  const base = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 40);
  return `${base || "org"}-${randomUUID().slice(0, 8)}`;
}

/**
 * Gives a user an organization (they are its owner) with the default squad, unless they already
 * belong to one. Idempotent and transactional: either everything exists afterwards or nothing changed.
 * With `KNOWLEDGE_AUTO_INDEX` (default on) the new example repository is then queued for indexing.
 * @returns the id of the user's first organization
 */
export async function ensureUserOrganization(
  db: Database,
  user: { id: string; name: string },
): Promise<string> {
  const provisioned = await db.transaction(async (tx) => {
    // Serialise concurrent first requests of the same user (sign-up hook and a session lookup).
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`provision:${user.id}`}))`);
    const [existing] = await tx
      .select({ organizationId: member.organizationId })
      .from(member)
      .where(eq(member.userId, user.id))
      .orderBy(asc(member.createdAt))
      .limit(1);
    if (existing) return { organizationId: existing.organizationId, exampleRepositoryId: null };
    const organizationId = randomUUID();
    const name = `${user.name || "My"}'s organization`;
    await tx.insert(organization).values({ id: organizationId, name, slug: slugify(user.name) });
    await tx.insert(member).values({ id: randomUUID(), organizationId, userId: user.id, role: "owner" });
    const { repositoryId } = await createDefaultSquad(tx, organizationId);
    return { organizationId, exampleRepositoryId: repositoryId };
  });
  if (provisioned.exampleRepositoryId && env.KNOWLEDGE_AUTO_INDEX) {
    // Knowledge: index the bundled example repository like any newly registered one (in the
    // background; sign-up never fails because the workflow engine is unreachable).
    const { organizationId, exampleRepositoryId } = provisioned;
    await requestRepositoryIndex(db, { organizationId, repositoryId: exampleRepositoryId, reason: "registered" }).catch((error: unknown) =>
      console.warn(`[knowledge] the example repository of ${organizationId} was not queued for indexing: ${error instanceof Error ? error.message : String(error)}`),
    );
  }
  return provisioned.organizationId;
}
