import type { Database, DbOrTx } from "@/db/client";
import { findLesson, listLessons, markLessonDeleted, updateLessonStatement, type LessonRow } from "@/db/queries/lessons";
import type { AgentRole } from "@/db/schema";
import { withTenant } from "@/db/tenant";
import { recordAudit, type AuditActor } from "@/lib/audit/record-audit";
import { notFound } from "@/lib/errors";
import { indexLesson, unindexLesson } from "./knowledge-index";
import type { LessonJson, UpdateLessonInput } from "./schemas";
import { serializeLesson } from "./serialize";

/** The organization's lessons as the API returns them, newest first (optionally one repository's / role's). */
export async function listLessonJson(db: DbOrTx, q: { organizationId: string; repositoryId?: string; role?: AgentRole }): Promise<LessonJson[]> {
  return (await listLessons(db, q)).map(serializeLesson);
}

/** @throws AppError `not_found` when the organization has no such (live) lesson */
export async function getLessonOrThrow(db: DbOrTx, q: { organizationId: string; lessonId: string }): Promise<LessonRow> {
  const row = await findLesson(db, q);
  if (!row) throw notFound("Lesson");
  return row;
}

function warnIndex(what: string, lessonId: string, error: unknown): void {
  console.warn(`[lessons] could not ${what} lesson ${lessonId} in the knowledge index: ${error instanceof Error ? error.message : String(error)}`);
}

/**
 * A person rewrites a lesson's statement: stored (under row-level security), re-indexed, audited
 * (`lesson.updated` with the statement before and after). Later briefs carry the new statement.
 * If the knowledge index refuses, the edit still stands (briefs read statements from the table) and a warning is logged.
 * @returns the updated lesson
 * @throws AppError `not_found` (not a live lesson of the organization)
 */
export async function updateLesson(
  db: Database,
  q: { organizationId: string; lessonId: string; actor: AuditActor },
  input: UpdateLessonInput,
): Promise<LessonJson> {
  const row = await withTenant(db, q.organizationId, async (tx) => {
    const before = await getLessonOrThrow(tx, q);
    const row = await updateLessonStatement(tx, q, { statement: input.statement, updatedByUserId: q.actor.userId });
    if (!row) throw notFound("Lesson");
    await recordAudit(tx, {
      organizationId: q.organizationId,
      actor: q.actor,
      action: "lesson.updated",
      targetType: "lesson",
      targetId: row.id,
      data: { before: before.statement, after: row.statement },
    });
    return row;
  });
  // After the commit: an index failure (a vector store, an aborted statement) must not undo the edit.
  try {
    await indexLesson(db, row);
  } catch (error) {
    warnIndex("re-index", row.id, error);
  }
  return serializeLesson(row);
}

/**
 * A person deletes a lesson: it leaves every brief at once (marked deleted; the row stays so the
 * same source is never learnt again), its chunk leaves the knowledge index, and the deletion is
 * audited (`lesson.deleted` with the statement).
 * @throws AppError `not_found` (not a live lesson of the organization)
 */
export async function deleteLesson(db: Database, q: { organizationId: string; lessonId: string; actor: AuditActor }): Promise<void> {
  const row = await withTenant(db, q.organizationId, async (tx) => {
    const deleted = await markLessonDeleted(tx, { ...q, deletedByUserId: q.actor.userId });
    if (!deleted) throw notFound("Lesson");
    await recordAudit(tx, {
      organizationId: q.organizationId,
      actor: q.actor,
      action: "lesson.deleted",
      targetType: "lesson",
      targetId: deleted.id,
      data: { statement: deleted.statement, sourceKind: deleted.sourceKind },
    });
    return deleted;
  });
  // Briefs already skip it (deleted_at); this takes it out of knowledge search too.
  try {
    await unindexLesson(db, row);
  } catch (error) {
    warnIndex("remove", row.id, error);
  }
}
