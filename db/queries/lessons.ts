import { and, desc, eq, inArray, isNull, or, sql } from "drizzle-orm";
import type { DbOrTx } from "../client";
import { lessons, type AgentRole } from "../schema";

export type LessonRow = typeof lessons.$inferSelect;
export type NewLesson = Omit<typeof lessons.$inferInsert, "id" | "createdAt" | "updatedAt" | "deletedAt" | "updatedByUserId">;

const live = isNull(lessons.deletedAt);

/**
 * Stores lessons; one whose `(organization, sourceKind, sourceId)` exists already (learnt before,
 * edited or deleted since) is left as it is.
 * @returns the rows actually inserted
 */
export async function insertLessons(db: DbOrTx, values: NewLesson[]): Promise<LessonRow[]> {
  if (values.length === 0) return [];
  return db.insert(lessons).values(values).onConflictDoNothing().returning();
}

/** The organization's lessons (not deleted), newest first, optionally of one repository and/or role. */
export async function listLessons(
  db: DbOrTx,
  q: { organizationId: string; repositoryId?: string; role?: AgentRole; limit?: number },
): Promise<LessonRow[]> {
  return db
    .select()
    .from(lessons)
    .where(
      and(
        eq(lessons.organizationId, q.organizationId),
        live,
        q.repositoryId ? eq(lessons.repositoryId, q.repositoryId) : undefined,
        q.role ? eq(lessons.role, q.role) : undefined,
      ),
    )
    .orderBy(desc(lessons.createdAt), desc(lessons.id))
    .limit(q.limit ?? 500);
}

/** One lesson of the organization (not deleted), or undefined. */
export async function findLesson(db: DbOrTx, q: { organizationId: string; lessonId: string }): Promise<LessonRow | undefined> {
  const [row] = await db
    .select()
    .from(lessons)
    .where(and(eq(lessons.organizationId, q.organizationId), eq(lessons.id, q.lessonId), live))
    .limit(1);
  return row;
}

/** Lessons of the organization by id (not deleted), in no particular order. */
export async function findLessonsByIds(db: DbOrTx, q: { organizationId: string; ids: string[] }): Promise<LessonRow[]> {
  if (q.ids.length === 0) return [];
  return db
    .select()
    .from(lessons)
    .where(and(eq(lessons.organizationId, q.organizationId), inArray(lessons.id, q.ids), live));
}

/** Changes a lesson's statement. @returns the updated row, or undefined when there is no such (live) lesson */
export async function updateLessonStatement(
  db: DbOrTx,
  q: { organizationId: string; lessonId: string },
  values: { statement: string; updatedByUserId: string | null },
): Promise<LessonRow | undefined> {
  const [row] = await db
    .update(lessons)
    .set({ statement: values.statement, updatedByUserId: values.updatedByUserId, updatedAt: new Date() })
    .where(and(eq(lessons.organizationId, q.organizationId), eq(lessons.id, q.lessonId), live))
    .returning();
  return row;
}

/**
 * Marks a lesson deleted (the row stays so the same source is not learnt again; every read skips it).
 * @returns the row as it was, or undefined when there is no such (live) lesson
 */
export async function markLessonDeleted(
  db: DbOrTx,
  q: { organizationId: string; lessonId: string; deletedByUserId: string | null },
): Promise<LessonRow | undefined> {
  const [row] = await db
    .update(lessons)
    .set({ deletedAt: new Date(), updatedByUserId: q.deletedByUserId })
    .where(and(eq(lessons.organizationId, q.organizationId), eq(lessons.id, q.lessonId), live))
    .returning();
  return row;
}

/**
 * Lessons for a brief, by repository and role, ranked by Postgres full-text relevance to `query`
 * (`to_tsvector('english', statement)` against the query's words OR-ed, so one shared word counts),
 * then newest first. Lessons without a repository apply to every repository, lessons without a role
 * to every role; `roles` omitted = lessons of every role (the planner's view).
 */
export async function retrieveLessonsByText(
  db: DbOrTx,
  q: { organizationId: string; repositoryId: string | null; roles?: readonly AgentRole[]; query: string; limit: number },
): Promise<(LessonRow & { rank: number })[]> {
  const words = q.query.toLowerCase().match(/[a-z0-9]{3,}/g) ?? [];
  const terms = [...new Set(words)].slice(0, 64).join(" | ");
  const rank = terms
    ? sql<number>`ts_rank(to_tsvector('english', ${lessons.statement}), to_tsquery('english', ${terms}))`
    : sql<number>`0`;
  const rows = await db
    .select({ lesson: lessons, rank: sql<number>`${rank}::float8` })
    .from(lessons)
    .where(
      and(
        eq(lessons.organizationId, q.organizationId),
        live,
        q.repositoryId ? or(eq(lessons.repositoryId, q.repositoryId), isNull(lessons.repositoryId)) : isNull(lessons.repositoryId),
        q.roles ? or(isNull(lessons.role), inArray(lessons.role, [...q.roles])) : undefined,
      ),
    )
    .orderBy(desc(rank), desc(lessons.createdAt), desc(lessons.id))
    .limit(q.limit);
  return rows.map((r) => ({ ...r.lesson, rank: Number(r.rank) }));
}
