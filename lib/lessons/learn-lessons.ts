import type { DbOrTx } from "@/db/client";
import { findLessonsByIds, insertLessons, type LessonRow } from "@/db/queries/lessons";
import { recordLlmCall } from "@/lib/llm/ledger";
import type { ModelResponse } from "@/lib/llm/types";
import type { LessonSources } from "./collect-lesson-sources";
import type { DistilledLesson } from "./distil-lessons";
import { indexLesson } from "./knowledge-index";

/**
 * Stores distilled lessons of a task (per repository and role, with their source). A source learnt
 * before — even one whose lesson was edited or deleted since — adds nothing.
 * @returns ids of the lessons inserted now
 */
export async function storeLessons(db: DbOrTx, sources: LessonSources, lessons: readonly DistilledLesson[]): Promise<string[]> {
  const rows = await insertLessons(
    db,
    lessons.map((l) => ({
      organizationId: sources.organizationId,
      repositoryId: sources.repositoryId,
      role: l.role,
      statement: l.statement,
      sourceKind: l.sourceKind,
      sourceId: l.sourceId,
      sourceTaskId: sources.taskId,
      sourceUrl: l.sourceUrl,
      sourceExcerpt: l.excerpt,
      distilledBy: l.distilledBy,
    })),
  );
  return rows.map((r) => r.id);
}

/**
 * Puts stored lessons into the knowledge index (source `lesson`). A lesson the index refuses stays
 * retrievable by repository, role and full text (`retrieveLessons`); the failure is reported, not thrown.
 * @returns how many were indexed, and the error of each that was not
 */
export async function indexLessons(
  db: DbOrTx,
  q: { organizationId: string; lessonIds: string[] },
): Promise<{ indexed: number; failed: { lessonId: string; error: string }[] }> {
  const rows: LessonRow[] = await findLessonsByIds(db, { organizationId: q.organizationId, ids: q.lessonIds });
  const failed: { lessonId: string; error: string }[] = [];
  for (const row of rows) {
    try {
      await indexLesson(db, row);
    } catch (error) {
      failed.push({ lessonId: row.id, error: error instanceof Error ? error.message : String(error) });
    }
  }
  return { indexed: rows.length - failed.length, failed };
}

/** Records the model call that distilled a task's lessons in the usage ledger (once per run and step). */
export async function recordDistillation(
  db: DbOrTx,
  q: { organizationId: string; taskId: string; runId: string; stepId: string; response: ModelResponse },
): Promise<void> {
  await recordLlmCall(db, { organizationId: q.organizationId, taskId: q.taskId, runId: q.runId, stepId: q.stepId, agentRole: "tech_lead", response: q.response });
}
