import type { Database } from "@/db/client";
import { listSubtasks, lockTask, resetSubtasks, updateTask, type TaskRow } from "@/db/queries/tasks";
import { appendTaskEvent } from "@/lib/events/append-task-event";
import { AppError, notFound } from "@/lib/errors";
import { dispatchTask } from "./create-task";

/** Statuses a task can be retried from. */
const RETRYABLE = new Set(["failed", "cancelled"]);

/**
 * Runs a failed (or cancelled) task again, keeping what its last run finished: the subtasks that did
 * not complete (failed, blocked, cancelled or never started) go back to `queued` and a new run of
 * the task workflow (`squad/task.assigned`, event id `task-retry-<task id>-<attempt>`) runs only them,
 * reusing the plan and the task's branch. A task that failed before it had a plan is planned again.
 *
 * @returns the queued task and the plan keys (or titles) of the subtasks that will run again
 * @throws AppError `not_found` (not a task of the organization), `conflict` (a subtask, or a task that
 *   is not failed or cancelled), `unavailable` (the workflow engine is unreachable; the task is then
 *   marked failed again with the reason)
 */
export async function retryTask(
  db: Database,
  q: { organizationId: string; taskId: string; userName: string },
): Promise<{ task: TaskRow; retried: string[] }> {
  const { task, retried } = await db.transaction(async (tx) => {
    const scope = { organizationId: q.organizationId, taskId: q.taskId };
    const current = await lockTask(tx, scope);
    if (!current) throw notFound("Task");
    if (current.parentTaskId) {
      throw new AppError("conflict", "This is a subtask: retry its parent task, which runs the failed and blocked subtasks again.");
    }
    if (!RETRYABLE.has(current.status)) {
      throw new AppError("conflict", `Only a failed or cancelled task can be retried; this one is ${current.status}.`);
    }
    const subtasks = await listSubtasks(tx, { organizationId: q.organizationId, parentTaskId: q.taskId });
    const again = subtasks.filter((s) => s.status !== "completed");
    await resetSubtasks(tx, { organizationId: q.organizationId, taskIds: again.map((s) => s.id) });
    const attempt = current.attempt + 1;
    const updated = await updateTask(tx, scope, { status: "queued", outcome: null, error: null, completedAt: null, attempt });
    if (!updated) throw notFound("Task");
    const names = again.map((s) => s.planKey ?? s.title);
    await appendTaskEvent(tx, {
      ...scope,
      type: "status",
      actor: "user",
      message:
        subtasks.length === 0
          ? `${q.userName} asked to retry the task: it will be planned again`
          : `${q.userName} asked to retry the task: ${names.length} subtask(s) run again (${names.join(", ")}); ${subtasks.length - again.length} completed subtask(s) are kept`,
      data: { status: "queued", attempt, retried: names },
    });
    return { task: updated, retried: names };
  });
  await dispatchTask(db, task, `task-retry-${task.id}-${task.attempt}`);
  return { task, retried };
}
