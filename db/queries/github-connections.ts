import { and, asc, eq, sql } from "drizzle-orm";
import type { DbOrTx } from "../client";
import { githubConnections, repositories } from "../schema";

type Scope = { organizationId: string };

export type GithubConnectionRow = typeof githubConnections.$inferSelect;

/** The organization's GitHub connections (its app, then tokens), oldest first. */
export async function listGithubConnections(db: DbOrTx, q: Scope): Promise<GithubConnectionRow[]> {
  return db
    .select()
    .from(githubConnections)
    .where(eq(githubConnections.organizationId, q.organizationId))
    .orderBy(asc(githubConnections.createdAt));
}

/** One connection of the organization, or undefined (another organization's is undefined too). */
export async function findGithubConnection(db: DbOrTx, q: Scope & { connectionId: string }): Promise<GithubConnectionRow | undefined> {
  const [row] = await db
    .select()
    .from(githubConnections)
    .where(and(eq(githubConnections.organizationId, q.organizationId), eq(githubConnections.id, q.connectionId)))
    .limit(1);
  return row;
}

/** A connection by id whatever its organization — for the app webhook ingress only, which verifies before trusting it. */
export async function findGithubConnectionForWebhook(db: DbOrTx, q: { connectionId: string }): Promise<GithubConnectionRow | undefined> {
  const [row] = await db.select().from(githubConnections).where(eq(githubConnections.id, q.connectionId)).limit(1);
  return row;
}

export async function insertGithubConnection(db: DbOrTx, values: typeof githubConnections.$inferInsert): Promise<GithubConnectionRow> {
  const [row] = await db.insert(githubConnections).values(values).returning();
  return row;
}

export async function updateGithubConnection(
  db: DbOrTx,
  q: Scope & { connectionId: string },
  values: Partial<typeof githubConnections.$inferInsert>,
): Promise<GithubConnectionRow | undefined> {
  const [row] = await db
    .update(githubConnections)
    .set({ ...values, updatedAt: new Date() })
    .where(and(eq(githubConnections.organizationId, q.organizationId), eq(githubConnections.id, q.connectionId)))
    .returning();
  return row;
}

/** Deletes a connection of the organization. @returns whether a row went */
export async function deleteGithubConnection(db: DbOrTx, q: Scope & { connectionId: string }): Promise<boolean> {
  const rows = await db
    .delete(githubConnections)
    .where(and(eq(githubConnections.organizationId, q.organizationId), eq(githubConnections.id, q.connectionId)))
    .returning({ id: githubConnections.id });
  return rows.length > 0;
}

/** The organization's repository registered with GitHub name `fullName` (case-insensitive), if any. */
export async function findRepositoryByGithubFullName(
  db: DbOrTx,
  q: Scope & { fullName: string },
): Promise<typeof repositories.$inferSelect | undefined> {
  const [row] = await db
    .select()
    .from(repositories)
    .where(and(eq(repositories.organizationId, q.organizationId), sql`lower(${repositories.githubFullName}) = lower(${q.fullName})`))
    .orderBy(asc(repositories.createdAt))
    .limit(1);
  return row;
}
