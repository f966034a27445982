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

/** Where a task came from. */
export const taskSources = ["web", "api", "cli", "github", "jira"] as const;
export type TaskSource = (typeof taskSources)[number];
