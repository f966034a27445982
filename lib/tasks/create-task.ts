import type { Database, DbOrTx } from "@/db/client";
import { findDefaultSquad, findRepository, findSquad } from "@/db/queries/squads";
import { insertTask, updateTask, type TaskRow } from "@/db/queries/tasks";
import type { TaskSource } from "@/db/schema";
import { inngest } from "@/inngest/client";
import { taskAssigned } from "@/inngest/events";
import { appendTaskEvent } from "@/lib/events/append-task-event";
import { AppError } from "@/lib/errors";
import { enforceTaskQuota } from "@/lib/billing/quota";
import type { CreateTaskData } from "./schemas";

export type CreateTaskOptions = {
  organizationId: string;
  userId?: string | null;
  source: TaskSource;
  /** Identity in the source system (e.g. `github:octo/repo#12`); a second task with it is refused. */
  externalRef?: string | null;
  /** Repository to work on instead of the squad's own (e.g. the repository a webhook came from). */
  repositoryId?: string;
  /** Id for the `squad/task.assigned` event, so a redelivered request does not start a second run. */
  eventId?: string;
};

/**
 * Creates a queued task for a squad of the organization and hands it to the task workflow
 * (`squad/task.assigned`).
 * @throws AppError `not_found` when `squadId` is not a squad of the organization or it has none, or
 *   `repositoryId` is not a repository of the organization; `unavailable` when the workflow engine cannot be reached (the task is then marked `failed` with the reason)
 */
export async function createTask(db: Database, input: CreateTaskData, opts: CreateTaskOptions): Promise<TaskRow> {
  const task = await db.transaction((tx) => insertQueuedTask(tx, input, opts));
  await dispatchTask(db, task, opts.eventId);
  return task;
}

/**
 * Inserts a queued task and its first timeline entry; call {@link dispatchTask} after the transaction
 * commits.
 * @throws AppError `not_found` when `squadId` (or `repositoryId`) is not the organization's, or it has no squad
 */
export async function insertQueuedTask(tx: DbOrTx, input: CreateTaskData, opts: CreateTaskOptions): Promise<TaskRow> {
  const squad = input.squadId
    ? await findSquad(tx, { organizationId: opts.organizationId, squadId: input.squadId })
    : await findDefaultSquad(tx, { organizationId: opts.organizationId });
  if (!squad) throw new AppError("not_found", input.squadId ? "Squad not found" : "This organization has no squad yet");
  if (input.repositoryId && !(await findRepository(tx, { organizationId: opts.organizationId, repositoryId: input.repositoryId }))) {
    throw new AppError("not_found", "Repository not found");
  }
  const row = await insertTask(tx, {
    organizationId: opts.organizationId,
    squadId: squad.id,
    repositoryId: input.repositoryId ?? opts.repositoryId ?? squad.repositoryId,
    title: input.title,
    description: input.description,
    budgetUsdMicros: input.budgetUsdMicros ?? null,
    source: opts.source,
    externalRef: opts.externalRef ?? null,
    createdByUserId: opts.userId ?? null,
    status: "queued",
  });
  await appendTaskEvent(tx, {
    organizationId: opts.organizationId,
    taskId: row.id,
    type: "status",
    actor: "system",
    message: `Task queued for ${squad.name} (source: ${opts.source})`,
    data: { status: "queued" },
  });
  // Billing: the plan's quota (lib/billing/quota.ts) — 402 for web/API/CLI, stored as refused for webhook-born tasks.
  return enforceTaskQuota(tx, row);
}

/**
 * Sends `squad/task.assigned` for a stored task. The event id makes a repeated dispatch a no-op.
 * @throws AppError `unavailable` when the workflow engine cannot be reached; the task is then marked
 *   `failed` with the reason, so nothing is left silently queued
 */
export async function dispatchTask(db: Database, task: TaskRow, eventId?: string): Promise<void> {
  try {
    await inngest.send(
      taskAssigned.create(
        { taskId: task.id, organizationId: task.organizationId },
        { id: eventId ?? `task-assigned-${task.id}` },
      ),
    );
  } catch (error) {
    const reason = `The workflow engine could not be reached: ${error instanceof Error ? error.message : String(error)}`;
    const scope = { organizationId: task.organizationId, taskId: task.id };
    await db.transaction(async (tx) => {
      await updateTask(tx, scope, { status: "failed", error: reason, completedAt: new Date() });
      await appendTaskEvent(tx, { ...scope, type: "status", actor: "system", message: reason, data: { status: "failed" } });
    });
    throw new AppError("unavailable", `Task ${task.id} was saved but could not be started. ${reason}`);
  }
}
