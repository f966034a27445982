import { getDb } from "@/db/client";
import type { DbOrTx } from "@/db/client";
import { retrieveLessonsByText } from "@/db/queries/lessons";
import type { AgentRole, LessonSourceKind } from "@/db/schema";
import { appendTaskEvent } from "@/lib/events/append-task-event";
import { searchLessonIds } from "./knowledge-index";
import { lessonSourceLabels } from "./serialize";

/** A lesson as a brief and the timeline show it. Plain JSON (a step result). */
export type BriefLesson = {
  id: string;
  statement: string;
  role: AgentRole | null;
  sourceKind: LessonSourceKind;
  sourceLabel: string;
  sourceUrl: string | null;
};

/** Most lessons one brief gets. */
export const MAX_BRIEF_LESSONS = 8;
/** Lessons in scope considered for ranking (by full text) before the cut. */
const CANDIDATES = 50;
/** Reciprocal-rank-fusion constant (Cormack, Clarke & Büttcher 2009), the same k the knowledge core fuses with. */
const RRF_K = 60;

let warnedSearchUnavailable = false;

/**
 * The lessons a brief should carry: lessons of the repository (and organization-wide ones) for the
 * given roles (or every role when `roles` is omitted — the planner's view), ranked by the knowledge
 * index's hybrid search (source `lesson`) fused by reciprocal rank with Postgres full text over the
 * statements; lessons neither ranks come after, newest first. When the knowledge index cannot search
 * (not configured, failing), full text alone ranks them and one warning is logged.
 * @returns at most `limit` (default {@link MAX_BRIEF_LESSONS}) lessons, best first
 */
export async function retrieveLessons(
  db: DbOrTx,
  q: { organizationId: string; repositoryId: string | null; roles?: readonly AgentRole[]; query: string; limit?: number },
): Promise<BriefLesson[]> {
  const limit = q.limit ?? MAX_BRIEF_LESSONS;
  const inScope = await retrieveLessonsByText(db, { ...q, limit: CANDIDATES });
  if (inScope.length === 0) return [];
  let searched: string[] = [];
  try {
    searched = await searchLessonIds(db, { organizationId: q.organizationId, repositoryId: q.repositoryId, query: q.query, limit: CANDIDATES });
  } catch (error) {
    if (!warnedSearchUnavailable) {
      warnedSearchUnavailable = true;
      console.warn(`[lessons] knowledge search unavailable, ranking lessons by full text only: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  const score = new Map<string, number>();
  const textRanked = inScope.filter((l) => l.rank > 0);
  textRanked.forEach((l, i) => score.set(l.id, (score.get(l.id) ?? 0) + 1 / (RRF_K + i + 1)));
  const ids = new Set(inScope.map((l) => l.id));
  searched.filter((id) => ids.has(id)).forEach((id, i) => score.set(id, (score.get(id) ?? 0) + 1 / (RRF_K + i + 1)));
  const order = new Map(inScope.map((l, i) => [l.id, i]));
  return [...inScope]
    .sort((a, b) => (score.get(b.id) ?? 0) - (score.get(a.id) ?? 0) || (order.get(a.id) ?? 0) - (order.get(b.id) ?? 0))
    .slice(0, limit)
    .map((l) => ({
      id: l.id,
      statement: l.statement,
      role: l.role,
      sourceKind: l.sourceKind,
      sourceLabel: lessonSourceLabels[l.sourceKind],
      sourceUrl: l.sourceUrl,
    }));
}

/**
 * Retrieves the lessons for one brief and, when there are any, says so on the task's timeline
 * ("Lessons applied", `data.lessons` with each lesson's source link), once per `dedupeKey`.
 * Call it inside a step: the result is the step's memoized JSON, so a replay builds the same brief.
 */
export async function lessonsForBrief(input: {
  organizationId: string;
  taskId: string;
  repositoryId: string | null;
  /** The role whose brief this is; the planner (`product_manager`) gets every role's lessons. */
  role: AgentRole;
  /** What the brief is about (task title and description, subtask), to rank lessons by. */
  query: string;
  subtask?: string;
  dedupeKey: string;
}): Promise<BriefLesson[]> {
  const db = getDb();
  const lessons = await retrieveLessons(db, {
    organizationId: input.organizationId,
    repositoryId: input.repositoryId,
    roles: input.role === "product_manager" ? undefined : [input.role],
    query: input.query,
  });
  if (lessons.length > 0) {
    await appendTaskEvent(db, {
      organizationId: input.organizationId,
      taskId: input.taskId,
      type: "message",
      actor: input.role,
      message: `Lessons applied (${lessons.length}): ${lessons.map((l) => l.statement).join(" · ").slice(0, 1_000)}`,
      data: { lessonsApplied: lessons, ...(input.subtask ? { subtask: input.subtask } : {}) },
      dedupeKey: input.dedupeKey,
    });
  }
  return lessons;
}
