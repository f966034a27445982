import { getDb } from "@/db/client";
import type { AgentRole } from "@/db/schema";
import { appendTaskEvent } from "@/lib/events/append-task-event";
import { citationOf, formatCitations, searchKnowledge } from "./search";
import type { KnowledgeHit, KnowledgeSource } from "./types";

/** Most knowledge chunks one brief gets. */
export const MAX_BRIEF_KNOWLEDGE = 6;
/** The sources a brief draws on: the repository's code and uploaded documents (lessons have their own block). */
export const BRIEF_KNOWLEDGE_SOURCES: readonly KnowledgeSource[] = ["code", "document"];

/** Most characters of retrieved knowledge one brief carries. */
export const MAX_BRIEF_KNOWLEDGE_CHARS = 6_000;

let warnedSearchFailed = false;

/**
 * The text of a brief's knowledge block (`planPrompt` / `subtaskPrompt` option `knowledge`, which
 * puts it under `KNOWLEDGE_HEADING`): each hit under its `[path:start-end] (source)` citation, best
 * first, at most {@link MAX_BRIEF_KNOWLEDGE_CHARS} characters (`formatCitations`). `""` for no hits.
 */
export function formatBriefKnowledge(hits: readonly KnowledgeHit[]): string {
  return hits.length > 0 ? formatCitations([...hits], MAX_BRIEF_KNOWLEDGE_CHARS) : "";
}

/** What the timeline records of one retrieved chunk (`data.knowledge`). */
export type BriefKnowledgeRef = Pick<KnowledgeHit, "path" | "startLine" | "endLine" | "source" | "sourceId">;

/**
 * Retrieves the knowledge one brief should carry and, when there is any, says so on the task's
 * timeline once per `dedupeKey` (a `message` event "Knowledge retrieved for <what>: path:start-end, …"
 * with `data.knowledge` = `{ path, startLine, endLine, source, sourceId }[]`, plus `data.subtask`).
 *
 * Scope: the organization's chunks of sources `code` and `document`, of the repository and the
 * organization-wide ones (`repositoryId` null: organization-wide only); hybrid search, at most
 * {@link MAX_BRIEF_KNOWLEDGE} hits, best first.
 *
 * Call it inside a step: the result is plain JSON (the step's memoized value), so a replay builds the
 * same brief. A failing search does not fail the task: it logs one warning (once per process) and
 * returns `[]`.
 * @returns the hits, best first (possibly empty)
 * @throws database errors of the timeline append only
 */
export async function knowledgeForBrief(input: {
  organizationId: string;
  taskId: string;
  repositoryId: string | null;
  /** The role whose brief this is (the timeline event's actor). */
  role: AgentRole;
  /** What the brief is about (task title and description, subtask), to rank chunks by. */
  query: string;
  /** The subtask key, for a builder's brief (said in the message and `data.subtask`). */
  subtask?: string;
  dedupeKey: string;
}): Promise<KnowledgeHit[]> {
  const db = getDb();
  let hits: KnowledgeHit[];
  try {
    hits = await searchKnowledge(db, {
      organizationId: input.organizationId,
      repositoryId: input.repositoryId,
      query: input.query,
      limit: MAX_BRIEF_KNOWLEDGE,
      sources: [...BRIEF_KNOWLEDGE_SOURCES],
    });
  } catch (error) {
    if (!warnedSearchFailed) {
      warnedSearchFailed = true;
      console.warn(`[knowledge] search for a brief failed, briefing without knowledge: ${error instanceof Error ? error.message : String(error)}`);
    }
    return [];
  }
  // Plain JSON (a step result): no prototypes, no undefined, numbers as numbers.
  const plain: KnowledgeHit[] = hits.map((h) => ({
    source: h.source,
    sourceId: h.sourceId,
    path: h.path,
    startLine: h.startLine,
    endLine: h.endLine,
    score: h.score,
    text: h.text,
    language: h.language,
    repositoryId: h.repositoryId,
  }));
  if (plain.length > 0) {
    const knowledge: BriefKnowledgeRef[] = plain.map((h) => ({ path: h.path, startLine: h.startLine, endLine: h.endLine, source: h.source, sourceId: h.sourceId }));
    const what = input.subtask ? `subtask ${input.subtask}` : "the plan";
    await appendTaskEvent(db, {
      organizationId: input.organizationId,
      taskId: input.taskId,
      type: "message",
      actor: input.role,
      message: `Knowledge retrieved for ${what}: ${plain.map(citationOf).join(", ")}`.slice(0, 1_000),
      data: { knowledge, ...(input.subtask ? { subtask: input.subtask } : {}) },
      dedupeKey: input.dedupeKey,
    });
  }
  return plain;
}
