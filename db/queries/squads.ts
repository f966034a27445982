import { and, asc, eq, inArray } from "drizzle-orm";
import type { DbOrTx } from "../client";
import { agents, repositories, squads } from "../schema";

type Scope = { organizationId: string };

export type SquadRow = typeof squads.$inferSelect;
export type AgentRow = typeof agents.$inferSelect;
export type RepositoryRow = typeof repositories.$inferSelect;

export async function findSquad(db: DbOrTx, q: Scope & { squadId: string }): Promise<SquadRow | undefined> {
  const [row] = await db
    .select()
    .from(squads)
    .where(and(eq(squads.organizationId, q.organizationId), eq(squads.id, q.squadId)))
    .limit(1);
  return row;
}

/** The organization's oldest squad (its default), if any. */
export async function findDefaultSquad(db: DbOrTx, q: Scope): Promise<SquadRow | undefined> {
  const [row] = await db
    .select()
    .from(squads)
    .where(eq(squads.organizationId, q.organizationId))
    .orderBy(asc(squads.createdAt))
    .limit(1);
  return row;
}

/** The first squad bound to a repository (used by webhooks to route an issue to a squad). */
export async function findSquadForRepository(
  db: DbOrTx,
  q: Scope & { repositoryId: string },
): Promise<SquadRow | undefined> {
  const [row] = await db
    .select()
    .from(squads)
    .where(and(eq(squads.organizationId, q.organizationId), eq(squads.repositoryId, q.repositoryId)))
    .orderBy(asc(squads.createdAt))
    .limit(1);
  return row;
}

/** The organization's squads, oldest (the default) first. */
export async function listSquads(db: DbOrTx, q: Scope): Promise<SquadRow[]> {
  return db.select().from(squads).where(eq(squads.organizationId, q.organizationId)).orderBy(asc(squads.createdAt), asc(squads.id));
}

/** Agents of several squads of the organization, oldest first. */
export async function listAgentsOfSquads(db: DbOrTx, q: Scope & { squadIds: string[] }): Promise<AgentRow[]> {
  if (q.squadIds.length === 0) return [];
  return db
    .select()
    .from(agents)
    .where(and(eq(agents.organizationId, q.organizationId), inArray(agents.squadId, q.squadIds)))
    .orderBy(asc(agents.createdAt), asc(agents.id));
}

/** Updates a squad's settings; returns the row, or undefined when it is not in the organization. */
export async function updateSquad(
  db: DbOrTx,
  q: Scope & { squadId: string },
  values: Partial<Pick<typeof squads.$inferInsert, "name" | "autonomy" | "workflow" | "policy" | "budgetUsdMicros" | "repositoryId">>,
): Promise<SquadRow | undefined> {
  const [row] = await db
    .update(squads)
    .set(values)
    .where(and(eq(squads.organizationId, q.organizationId), eq(squads.id, q.squadId)))
    .returning();
  return row;
}

/** Adds an agent to a squad. */
export async function insertAgent(db: DbOrTx, values: typeof agents.$inferInsert): Promise<AgentRow> {
  const [row] = await db.insert(agents).values(values).returning();
  return row;
}

/** Updates one agent of the organization. */
export async function updateAgent(
  db: DbOrTx,
  q: Scope & { agentId: string },
  values: Partial<Pick<typeof agents.$inferInsert, "name" | "instructions" | "systemPrompt" | "modelRoute" | "routeConstraints">>,
): Promise<void> {
  await db.update(agents).set(values).where(and(eq(agents.organizationId, q.organizationId), eq(agents.id, q.agentId)));
}

/** Removes one agent of the organization from its squad. */
export async function deleteAgent(db: DbOrTx, q: Scope & { agentId: string }): Promise<void> {
  await db.delete(agents).where(and(eq(agents.organizationId, q.organizationId), eq(agents.id, q.agentId)));
}

export async function listAgents(db: DbOrTx, q: Scope & { squadId: string }): Promise<AgentRow[]> {
  return db
    .select()
    .from(agents)
    .where(and(eq(agents.organizationId, q.organizationId), eq(agents.squadId, q.squadId)))
    .orderBy(asc(agents.createdAt));
}

export async function findRepository(
  db: DbOrTx,
  q: Scope & { repositoryId: string },
): Promise<RepositoryRow | undefined> {
  const [row] = await db
    .select()
    .from(repositories)
    .where(and(eq(repositories.organizationId, q.organizationId), eq(repositories.id, q.repositoryId)))
    .limit(1);
  return row;
}

/**
 * Looks a repository up by id alone. Only for webhook ingress, where the organization is not known
 * until the repository is found and the request's signature is then checked against its secret.
 */
export async function findRepositoryForWebhook(
  db: DbOrTx,
  q: { repositoryId: string },
): Promise<RepositoryRow | undefined> {
  const [row] = await db.select().from(repositories).where(eq(repositories.id, q.repositoryId)).limit(1);
  return row;
}

/** The organization's repositories, oldest first. */
export async function listRepositories(db: DbOrTx, q: Scope): Promise<RepositoryRow[]> {
  return db.select().from(repositories).where(eq(repositories.organizationId, q.organizationId)).orderBy(asc(repositories.createdAt));
}

export async function insertRepository(db: DbOrTx, values: typeof repositories.$inferInsert): Promise<RepositoryRow> {
  const [row] = await db.insert(repositories).values(values).returning();
  return row;
}
