// Pure constants (no drizzle or server imports), so the UI can use them through lib/tasks/statuses.ts.

/**
 * Every status a task or subtask can have, in the order a run moves through them. `blocked` is for
 * subtasks only: a subtask it depends on failed (or was blocked itself), so it never started.
 */
export const taskStatuses = [
  "queued",
  "planning",
  "running",
  "testing",
  "reviewing",
  "awaiting_approval",
  "blocked",
  "completed",
  "failed",
  "cancelled",
] as const;
export type TaskStatus = (typeof taskStatuses)[number];

/** Statuses a task never leaves. */
export const terminalTaskStatuses: readonly TaskStatus[] = ["completed", "failed", "cancelled"];

/**
 * How a finished top-level task ended, for people scanning a list (the status says where a run is):
 * `delivered` — a patch (or pull request) was produced; `no_changes` — the squad completed without
 * changing code (it concluded nothing needed to change, or could not); `failed` — a subtask, the
 * workflow or the policy stopped it with an error; `cancelled` — a person cancelled it, or an approval
 * expired; `rejected` — a person rejected one of its approvals. Null while the task has not ended.
 */
export const taskOutcomes = ["delivered", "no_changes", "failed", "cancelled", "rejected"] as const;
export type TaskOutcome = (typeof taskOutcomes)[number];

/** Where a task came from. */
export const taskSources = ["web", "api", "cli", "github", "jira"] as const;
export type TaskSource = (typeof taskSources)[number];
