import { and, asc, desc, eq, gt, inArray, isNull, sql } from "drizzle-orm";
import type { DbOrTx } from "../client";
import { artifacts, llmCalls, taskDependencies, taskEvents, tasks, type TaskStatus } from "../schema";

// Tenant-scoped queries: every function takes the organization explicitly and filters by it.

type Scope = { organizationId: string };

export type TaskRow = typeof tasks.$inferSelect;
export type NewTask = typeof tasks.$inferInsert;

export async function insertTask(db: DbOrTx, values: NewTask): Promise<TaskRow> {
  const [row] = await db.insert(tasks).values(values).returning();
  return row;
}

/** The task, or undefined when it does not exist in this organization. */
export async function findTask(db: DbOrTx, q: Scope & { taskId: string }): Promise<TaskRow | undefined> {
  const [row] = await db
    .select()
    .from(tasks)
    .where(and(eq(tasks.organizationId, q.organizationId), eq(tasks.id, q.taskId)))
    .limit(1);
  return row;
}

export async function findTaskByExternalRef(
  db: DbOrTx,
  q: Scope & { externalRef: string },
): Promise<TaskRow | undefined> {
  const [row] = await db
    .select()
    .from(tasks)
    .where(and(eq(tasks.organizationId, q.organizationId), eq(tasks.externalRef, q.externalRef)))
    .limit(1);
  return row;
}

/**
 * One page of the organization's top-level tasks, newest first (`createdAt`, then `id`), after the
 * task `afterId` (the last row of the previous page; compared in SQL at the column's full
 * microsecond precision), optionally filtered.
 * @returns up to `limit` rows
 */
export async function listTasksPage(
  db: DbOrTx,
  q: Scope & {
    limit: number;
    afterId?: string;
    statuses?: TaskRow["status"][];
    outcomes?: NonNullable<TaskRow["outcome"]>[];
    sources?: TaskRow["source"][];
    squadId?: string;
    repositoryId?: string;
  },
): Promise<TaskRow[]> {
  return db
    .select()
    .from(tasks)
    .where(
      and(
        eq(tasks.organizationId, q.organizationId),
        isNull(tasks.parentTaskId),
        q.statuses?.length ? inArray(tasks.status, q.statuses) : undefined,
        q.outcomes?.length ? inArray(tasks.outcome, q.outcomes) : undefined,
        q.sources?.length ? inArray(tasks.source, q.sources) : undefined,
        q.squadId ? eq(tasks.squadId, q.squadId) : undefined,
        q.repositoryId ? eq(tasks.repositoryId, q.repositoryId) : undefined,
        q.afterId
          ? sql`(${tasks.createdAt}, ${tasks.id}) < (select c.created_at, c.id from tasks c where c.id = ${q.afterId} and c.organization_id = ${q.organizationId})`
          : undefined,
      ),
    )
    .orderBy(desc(tasks.createdAt), desc(tasks.id))
    .limit(q.limit);
}

export async function listSubtasks(db: DbOrTx, q: Scope & { parentTaskId: string }): Promise<TaskRow[]> {
  return db
    .select()
    .from(tasks)
    .where(and(eq(tasks.organizationId, q.organizationId), eq(tasks.parentTaskId, q.parentTaskId)))
    .orderBy(asc(tasks.position), asc(tasks.createdAt));
}

export async function listDependencies(
  db: DbOrTx,
  q: Scope & { taskIds: string[] },
): Promise<{ taskId: string; dependsOnTaskId: string }[]> {
  if (q.taskIds.length === 0) return [];
  return db
    .select({ taskId: taskDependencies.taskId, dependsOnTaskId: taskDependencies.dependsOnTaskId })
    .from(taskDependencies)
    .where(and(eq(taskDependencies.organizationId, q.organizationId), inArray(taskDependencies.taskId, q.taskIds)));
}

/**
 * The `outcome` a top-level task gets when its status becomes `status`, as SQL evaluated in the same
 * UPDATE (so it reads the artifacts and approvals as they are at that moment): `completed` is
 * `delivered` when its latest patch artifact is not empty, else `no_changes`; `cancelled` is
 * `rejected` when the approval decided last was rejected by a person, else `cancelled` (a person
 * cancelled it, or an approval expired); `failed` is `failed`. Any other status clears the outcome
 * (a retried task has not ended); subtasks have none. Migration 0009 backfills with the same rules.
 */
function outcomeFor(status: TaskStatus) {
  const ended =
    status === "completed"
      ? sql`case when (select a.content from artifacts a where a.task_id = ${tasks.id} and a.kind = 'patch' order by a.created_at desc limit 1) <> '' then 'delivered' else 'no_changes' end`
      : status === "cancelled"
        ? sql`case when (select p.status from approvals p where p.task_id = ${tasks.id} and p.decided_at is not null order by p.decided_at desc limit 1) = 'rejected' then 'rejected' else 'cancelled' end`
        : status === "failed"
          ? sql`'failed'`
          : null;
  return ended ? sql`case when ${tasks.parentTaskId} is null then ${ended} end` : null;
}

/**
 * Updates a task of the organization. Setting `status` also sets `outcome` ({@link outcomeFor})
 * unless `values.outcome` is given.
 */
export async function updateTask(
  db: DbOrTx,
  q: Scope & { taskId: string },
  values: Partial<
    Pick<NewTask, "status" | "outcome" | "error" | "branch" | "startedAt" | "completedAt" | "output" | "attempt" | "budgetUsdMicros" | "estimatedCostUsdMicros">
  >,
): Promise<TaskRow | undefined> {
  const [row] = await db
    .update(tasks)
    .set(values.status !== undefined && values.outcome === undefined ? { ...values, outcome: outcomeFor(values.status) } : values)
    .where(and(eq(tasks.organizationId, q.organizationId), eq(tasks.id, q.taskId)))
    .returning();
  return row;
}

/** Sets the status of several tasks (e.g. all subtasks of a role) at once. */
export async function updateTaskStatuses(
  db: DbOrTx,
  q: Scope & { taskIds: string[] },
  status: TaskStatus,
): Promise<void> {
  if (q.taskIds.length === 0) return;
  await db
    .update(tasks)
    .set({ status, ...(status === "completed" ? { completedAt: new Date() } : {}) })
    .where(and(eq(tasks.organizationId, q.organizationId), inArray(tasks.id, q.taskIds)));
}

/** Puts subtasks back to `queued` with no result, error or times (before a retry runs them again). */
export async function resetSubtasks(db: DbOrTx, q: Scope & { taskIds: string[] }): Promise<void> {
  if (q.taskIds.length === 0) return;
  await db
    .update(tasks)
    .set({ status: "queued", output: null, error: null, startedAt: null, completedAt: null })
    .where(and(eq(tasks.organizationId, q.organizationId), inArray(tasks.id, q.taskIds)));
}

/** The task locked for update (`SELECT … FOR UPDATE`) in the caller's transaction, or undefined. */
export async function lockTask(db: DbOrTx, q: Scope & { taskId: string }): Promise<TaskRow | undefined> {
  const [row] = await db
    .select()
    .from(tasks)
    .where(and(eq(tasks.organizationId, q.organizationId), eq(tasks.id, q.taskId)))
    .for("update")
    .limit(1);
  return row;
}

export type ArtifactRow = typeof artifacts.$inferSelect;

export async function listArtifacts(db: DbOrTx, q: Scope & { taskId: string }): Promise<ArtifactRow[]> {
  return db
    .select()
    .from(artifacts)
    .where(and(eq(artifacts.organizationId, q.organizationId), eq(artifacts.taskId, q.taskId)))
    .orderBy(asc(artifacts.createdAt));
}

/** Inserts an artifact once per `dedupeKey`; returns the stored row (new or existing). */
export async function upsertArtifact(
  db: DbOrTx,
  values: typeof artifacts.$inferInsert & { dedupeKey: string },
): Promise<ArtifactRow> {
  const [inserted] = await db.insert(artifacts).values(values).onConflictDoNothing().returning();
  if (inserted) return inserted;
  const [existing] = await db
    .select()
    .from(artifacts)
    .where(and(eq(artifacts.organizationId, values.organizationId), eq(artifacts.dedupeKey, values.dedupeKey)))
    .limit(1);
  return existing;
}

export type TaskEventRow = typeof taskEvents.$inferSelect;

/** Events of a task after `afterId` (exclusive), oldest first. */
export async function listTaskEvents(
  db: DbOrTx,
  q: Scope & { taskId: string; afterId: number; limit: number },
): Promise<TaskEventRow[]> {
  return db
    .select()
    .from(taskEvents)
    .where(
      and(
        eq(taskEvents.organizationId, q.organizationId),
        eq(taskEvents.taskId, q.taskId),
        gt(taskEvents.id, q.afterId),
      ),
    )
    .orderBy(asc(taskEvents.id))
    .limit(q.limit);
}

export type UsageRollup = {
  role: string;
  calls: number;
  inputTokens: number;
  outputTokens: number;
  costUsdMicros: number;
};

/** Columns of a per-role usage rollup over `llm_calls` (group by `agent_role`); see {@link toUsageRollup}. */
export const usageByRoleColumns = {
  role: llmCalls.agentRole,
  calls: sql<string>`count(*)`,
  inputTokens: sql<string>`coalesce(sum(${llmCalls.inputTokens}), 0)`,
  outputTokens: sql<string>`coalesce(sum(${llmCalls.outputTokens}), 0)`,
  costUsdMicros: sql<string>`coalesce(sum(${llmCalls.costUsdMicros}), 0)`,
};

/** Postgres returns sums and counts as strings (bigint); turns one rollup row into numbers. */
export function toUsageRollup(r: { role: string; calls: string; inputTokens: string; outputTokens: string; costUsdMicros: string }): UsageRollup {
  return {
    role: r.role,
    calls: Number(r.calls),
    inputTokens: Number(r.inputTokens),
    outputTokens: Number(r.outputTokens),
    costUsdMicros: Number(r.costUsdMicros),
  };
}

/** Model usage of a task (and its subtasks) per agent role. Tokens and USD micros are sums. */
export async function usageByRole(db: DbOrTx, q: Scope & { taskId: string }): Promise<UsageRollup[]> {
  const rows = await db
    .select(usageByRoleColumns)
    .from(llmCalls)
    .where(and(eq(llmCalls.organizationId, q.organizationId), eq(llmCalls.taskId, q.taskId)))
    .groupBy(llmCalls.agentRole)
    .orderBy(asc(llmCalls.agentRole));
  return rows.map(toUsageRollup);
}

/** Distinct provider/model pairs used on a task. */
export async function modelsUsed(
  db: DbOrTx,
  q: Scope & { taskId: string },
): Promise<{ provider: string; model: string }[]> {
  return db
    .selectDistinct({ provider: llmCalls.provider, model: llmCalls.model })
    .from(llmCalls)
    .where(and(eq(llmCalls.organizationId, q.organizationId), eq(llmCalls.taskId, q.taskId)));
}
