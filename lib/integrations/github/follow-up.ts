import { and, eq, sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { listAgents } from "@/db/queries/squads";
import { listSubtasks, lockTask, updateTask, type TaskRow } from "@/db/queries/tasks";
import { taskDeliveries, tasks, type AgentRole } from "@/db/schema";
import { terminalTaskStatuses } from "@/db/schema/task-statuses";
import { appendTaskEvent } from "@/lib/events/append-task-event";

/**
 * `author_association` values of people with write access to the repository, as GitHub reports
 * them on comments and reviews (docs: "AuthorAssociation"): only these can steer the squad.
 */
export const WRITE_ASSOCIATIONS = ["OWNER", "MEMBER", "COLLABORATOR"] as const;

/** The mention that addresses the squad in a comment: `@squadron <instruction>`. */
const MENTION = /(^|\s)@squadron\b[:,]?\s*([\s\S]*)$/i;

/** The instruction of a comment that mentions `@squadron`, or null when it does not (or says nothing). */
export function squadronInstruction(body: string | null | undefined): string | null {
  const m = body ? MENTION.exec(body) : null;
  const text = m?.[2]?.trim();
  return text ? text : null;
}

/** The task whose pull request on `fullName` has number `pullNumber` (a `github` task delivery), if any. */
export async function findTaskByPullRequest(
  tx: DbOrTx,
  q: { organizationId: string; fullName: string; pullNumber: number },
): Promise<TaskRow | undefined> {
  const [row] = await tx
    .select({ task: tasks })
    .from(taskDeliveries)
    .innerJoin(tasks, eq(tasks.id, taskDeliveries.taskId))
    .where(
      and(
        eq(taskDeliveries.organizationId, q.organizationId),
        eq(taskDeliveries.channel, "github"),
        eq(taskDeliveries.externalId, String(q.pullNumber)),
        sql`lower(${taskDeliveries.data}->>'repository') = lower(${q.fullName})`,
      ),
    )
    .limit(1);
  return row?.task;
}

/**
 * Queues a follow-up run of an ended task on its own branch: a new subtask carrying `instruction`
 * (for a developer of the squad) joins the stored plan, the task goes back to `queued` with its
 * attempt counted up, and the next run (a retry of the plan) does only that subtask, then tests,
 * review and delivery again — which updates the same branch and pull request.
 * @returns `{ queued: task }`, or `{ ignore: reason }` while the task is still running
 */
export async function queueFollowUp(
  tx: DbOrTx,
  task: TaskRow,
  input: { instruction: string; author: string; source: string },
): Promise<{ queued: TaskRow } | { ignore: string }> {
  const scope = { organizationId: task.organizationId, taskId: task.id };
  const current = await lockTask(tx, scope);
  if (!current) return { ignore: "The task no longer exists" };
  if (!terminalTaskStatuses.includes(current.status)) {
    return { ignore: `The task is ${current.status}; a follow-up can start once it has ended` };
  }
  const subtasks = await listSubtasks(tx, { organizationId: task.organizationId, parentTaskId: task.id });
  const roles = (await listAgents(tx, { organizationId: task.organizationId, squadId: task.squadId })).map((a) => a.role);
  const role: AgentRole = (["developer", "backend_developer", "frontend_developer"] as const).find((r) => roles.includes(r)) ?? roles[0] ?? "developer";
  const attempt = current.attempt + 1;
  if (subtasks.length > 0) {
    await tx.insert(tasks).values({
      organizationId: task.organizationId,
      squadId: task.squadId,
      repositoryId: task.repositoryId,
      parentTaskId: task.id,
      title: `Follow-up from ${input.author}`.slice(0, 200),
      description: input.instruction,
      role,
      position: subtasks.length,
      planKey: `follow-up-${attempt}`,
      source: "github",
      status: "queued",
    });
  }
  const updated = await updateTask(tx, scope, {
    status: "queued",
    error: null,
    completedAt: null,
    attempt,
    // Without a stored plan the task is planned again, with the instruction in its description.
    ...(subtasks.length === 0 ? { description: `${current.description}\n\nFollow-up from ${input.author}: ${input.instruction}` } : {}),
  });
  await appendTaskEvent(tx, {
    ...scope,
    type: "status",
    actor: "user",
    message: `${input.author} asked for a follow-up on ${input.source}: ${input.instruction.slice(0, 500)}`,
    data: { status: "queued", attempt, followUp: true },
  });
  return { queued: updated ?? current };
}
