import { and, eq } from "drizzle-orm";
import type { Database } from "@/db/client";
import { findTask, type TaskRow } from "@/db/queries/tasks";
import { approvals } from "@/db/schema";
import { inngest } from "@/inngest/client";
import { taskCancelled, taskCompleted } from "@/inngest/events";
import { AppError, notFound } from "@/lib/errors";
import { cancelTask as endTaskCancelled } from "./workflow";

/**
 * A person cancels a task: it ends `cancelled` with the reason (its unfinished subtasks too, its
 * pending approvals expire), then `squad/task.cancelled` stops its run between steps (the task
 * workflow's `cancelOn`) and `squad/task.completed` (`cancelled`) is emitted. Cancelling a
 * cancelled task again only re-sends the events, so a caller can retry after a 503.
 *
 * @returns the task as it is now
 * @throws AppError `not_found` (not a task of the organization), `conflict` (already completed or
 *   failed), `unavailable` (the workflow engine could not be reached: the task is cancelled, its run
 *   may go on until the request is repeated)
 */
export async function cancelTaskByPerson(
  db: Database,
  q: { organizationId: string; taskId: string; user: { id: string; name: string } },
  input: { reason?: string },
): Promise<TaskRow> {
  const scope = { organizationId: q.organizationId, taskId: q.taskId };
  const task = await findTask(db, scope);
  if (!task || task.parentTaskId) throw notFound("Task");
  if (task.status === "completed" || task.status === "failed") {
    throw new AppError("conflict", `This task is already ${task.status}; only a queued or running task can be cancelled.`);
  }
  const reason = `Cancelled by ${q.user.name}${input.reason ? `: ${input.reason}` : ""}`;
  if (task.status !== "cancelled") {
    await endTaskCancelled(scope, reason, `cancel:${task.id}:${task.attempt}`, "user");
    await db
      .update(approvals)
      .set({ status: "expired", comment: "The task was cancelled", decidedAt: new Date() })
      .where(and(eq(approvals.organizationId, q.organizationId), eq(approvals.taskId, q.taskId), eq(approvals.status, "pending")));
  }
  try {
    await inngest.send([
      taskCancelled.create(
        { taskId: task.id, organizationId: q.organizationId, reason, cancelledByUserId: q.user.id },
        { id: `task-cancelled-${task.id}-${task.attempt}` },
      ),
      taskCompleted.create(
        { taskId: task.id, organizationId: q.organizationId, status: "cancelled", patchArtifactId: null },
        { id: `task-completed-cancelled-${task.id}-${task.attempt}` },
      ),
    ]);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new AppError("unavailable", `The task is cancelled but its run could not be told to stop; repeat the request. ${why}`);
  }
  const now = await findTask(db, scope);
  if (!now) throw notFound("Task");
  return now;
}
