import type { TaskRow } from "@/db/queries/tasks";

/** The public JSON of a task (list items and the head of the detail). Dates are ISO-8601 strings. */
export function serializeTask(t: TaskRow) {
  return {
    id: t.id,
    title: t.title,
    description: t.description,
    status: t.status,
    /** How it ended (null until it ends): `delivered`, `no_changes`, `failed`, `cancelled` or `rejected`. */
    outcome: t.outcome,
    source: t.source,
    externalRef: t.externalRef,
    priority: t.priority,
    squadId: t.squadId,
    repositoryId: t.repositoryId,
    branch: t.branch,
    error: t.error,
    attempt: t.attempt,
    createdAt: t.createdAt.toISOString(),
    startedAt: t.startedAt?.toISOString() ?? null,
    completedAt: t.completedAt?.toISOString() ?? null,
  };
}
export type TaskJson = ReturnType<typeof serializeTask>;
