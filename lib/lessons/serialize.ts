import type { LessonRow } from "@/db/queries/lessons";
import type { LessonSourceKind } from "@/db/schema";
import type { LessonJson } from "./schemas";

/** What each kind of source is called, for people. */
export const lessonSourceLabels: Record<LessonSourceKind, string> = {
  approval_rejected: "Approval rejected",
  approval_instructions: "Approved with instructions",
  review_fix: "Review finding, fixed",
  qa_fix: "Failing tests, fixed",
  pr_review: "Pull request review",
};

/** A lesson row as the API returns it (see `lessonSchema`). */
export function serializeLesson(row: LessonRow): LessonJson {
  return {
    id: row.id,
    repositoryId: row.repositoryId,
    role: row.role,
    statement: row.statement,
    source: {
      kind: row.sourceKind,
      label: lessonSourceLabels[row.sourceKind],
      taskId: row.sourceTaskId,
      url: row.sourceUrl,
      excerpt: row.sourceExcerpt,
    },
    distilledBy: row.distilledBy,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}
