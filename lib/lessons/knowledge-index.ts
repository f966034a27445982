import type { DbOrTx } from "@/db/client";
import type { LessonRow } from "@/db/queries/lessons";
import { deleteBySource, indexChunks, searchKnowledge } from "@/lib/knowledge";

/** The knowledge index's path of a lesson's chunk (`lessons/<id>`). */
export function lessonPath(lessonId: string): string {
  return `lessons/${lessonId}`;
}

/**
 * Puts a lesson (its current statement) into the knowledge index, source `lesson`, replacing what was
 * indexed for it before (an edit re-indexes).
 * @throws the index's errors (embedding, vector store)
 */
export async function indexLesson(db: DbOrTx, lesson: LessonRow): Promise<void> {
  await indexChunks(db, {
    organizationId: lesson.organizationId,
    repositoryId: lesson.repositoryId,
    source: "lesson",
    sourceId: lesson.id,
    chunks: [{ path: lessonPath(lesson.id), startLine: 1, endLine: 1, language: "text", text: lesson.statement }],
  });
}

/** Removes a lesson from the knowledge index. @throws the index's errors */
export async function unindexLesson(db: DbOrTx, lesson: { organizationId: string; repositoryId: string | null; id: string }): Promise<void> {
  await deleteBySource(db, { organizationId: lesson.organizationId, repositoryId: lesson.repositoryId, source: "lesson", sourceId: lesson.id });
}

/**
 * Lesson ids the knowledge index ranks for `query` (hybrid search, source `lesson`), best first.
 * @throws the index's errors
 */
export async function searchLessonIds(
  db: DbOrTx,
  q: { organizationId: string; repositoryId: string | null; query: string; limit: number },
): Promise<string[]> {
  const hits = await searchKnowledge(db, {
    organizationId: q.organizationId,
    repositoryId: q.repositoryId,
    query: q.query,
    limit: q.limit,
    sources: ["lesson"],
  });
  return [...new Set(hits.map((h) => h.sourceId))];
}
