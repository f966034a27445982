import { and, asc, desc, eq, inArray, sql } from "drizzle-orm";
import type { DbOrTx } from "../client";
import { approvals, tasks, user, type ApprovalStatus } from "../schema";

// Tenant-scoped queries of approvals: every function takes the organization explicitly.

type Scope = { organizationId: string };

export type ApprovalRow = typeof approvals.$inferSelect;
export type NewApproval = typeof approvals.$inferInsert;

/** An approval with the title of its task and the name of whoever decided it. */
export type ApprovalListRow = ApprovalRow & { taskTitle: string; decidedByName: string | null };

/**
 * Inserts an approval once per `dedupeKey`.
 * @returns the stored row: the new one, or the one a replayed step stored before
 */
export async function insertApprovalOnce(db: DbOrTx, values: NewApproval & { dedupeKey: string }): Promise<ApprovalRow> {
  const [inserted] = await db.insert(approvals).values(values).onConflictDoNothing().returning();
  if (inserted) return inserted;
  const existing = await findApprovalByDedupeKey(db, { organizationId: values.organizationId, dedupeKey: values.dedupeKey });
  if (!existing) throw new Error(`approval ${values.id ?? values.dedupeKey} conflicts with a row of another organization`);
  return existing;
}

export async function findApprovalByDedupeKey(db: DbOrTx, q: Scope & { dedupeKey: string }): Promise<ApprovalRow | undefined> {
  const [row] = await db
    .select()
    .from(approvals)
    .where(and(eq(approvals.organizationId, q.organizationId), eq(approvals.dedupeKey, q.dedupeKey)))
    .limit(1);
  return row;
}

export async function findApproval(db: DbOrTx, q: Scope & { approvalId: string }): Promise<ApprovalRow | undefined> {
  const [row] = await db
    .select()
    .from(approvals)
    .where(and(eq(approvals.organizationId, q.organizationId), eq(approvals.id, q.approvalId)))
    .limit(1);
  return row;
}

/**
 * Moves a `pending` approval to `status` (approved, rejected, expired) with who decided and their
 * comment. Only a pending approval changes: a decided or expired one stays as it is.
 * @returns the updated row, or undefined when it was not pending (or not found)
 */
export async function settleApproval(
  db: DbOrTx,
  q: Scope & { approvalId: string },
  values: { status: Exclude<ApprovalStatus, "pending">; decidedByUserId?: string | null; comment?: string | null },
): Promise<ApprovalRow | undefined> {
  const [row] = await db
    .update(approvals)
    .set({ status: values.status, decidedByUserId: values.decidedByUserId ?? null, comment: values.comment ?? null, decidedAt: new Date() })
    .where(and(eq(approvals.organizationId, q.organizationId), eq(approvals.id, q.approvalId), eq(approvals.status, "pending")))
    .returning();
  return row;
}

/** Puts a decided approval back to `pending` (its decision could not be delivered to the run). */
export async function reopenApproval(db: DbOrTx, q: Scope & { approvalId: string }): Promise<void> {
  await db
    .update(approvals)
    .set({ status: "pending", decidedByUserId: null, comment: null, decidedAt: null })
    .where(and(eq(approvals.organizationId, q.organizationId), eq(approvals.id, q.approvalId)));
}

/** How many approvals of a task are still pending. */
export async function countPendingApprovals(db: DbOrTx, q: Scope & { taskId: string }): Promise<number> {
  const [row] = await db
    .select({ n: sql<string>`count(*)` })
    .from(approvals)
    .where(and(eq(approvals.organizationId, q.organizationId), eq(approvals.taskId, q.taskId), eq(approvals.status, "pending")));
  return Number(row?.n ?? 0);
}

const listColumns = {
  approval: approvals,
  taskTitle: tasks.title,
  decidedByName: user.name,
};

/** The organization's approvals, newest first, optionally only those with one of `statuses` (or one by id). */
export async function listApprovals(
  db: DbOrTx,
  q: Scope & { statuses?: ApprovalStatus[]; approvalId?: string; limit: number },
): Promise<ApprovalListRow[]> {
  const rows = await db
    .select(listColumns)
    .from(approvals)
    .innerJoin(tasks, eq(tasks.id, approvals.taskId))
    .leftJoin(user, eq(user.id, approvals.decidedByUserId))
    .where(
      and(
        eq(approvals.organizationId, q.organizationId),
        q.statuses && q.statuses.length > 0 ? inArray(approvals.status, q.statuses) : undefined,
        q.approvalId ? eq(approvals.id, q.approvalId) : undefined,
      ),
    )
    .orderBy(desc(approvals.createdAt), desc(approvals.id))
    .limit(q.limit);
  return rows.map((r) => ({ ...r.approval, taskTitle: r.taskTitle, decidedByName: r.decidedByName }));
}

/** A task's approvals, oldest first. */
export async function listTaskApprovals(db: DbOrTx, q: Scope & { taskId: string }): Promise<ApprovalListRow[]> {
  const rows = await db
    .select(listColumns)
    .from(approvals)
    .innerJoin(tasks, eq(tasks.id, approvals.taskId))
    .leftJoin(user, eq(user.id, approvals.decidedByUserId))
    .where(and(eq(approvals.organizationId, q.organizationId), eq(approvals.taskId, q.taskId)))
    .orderBy(asc(approvals.createdAt), asc(approvals.id));
  return rows.map((r) => ({ ...r.approval, taskTitle: r.taskTitle, decidedByName: r.decidedByName }));
}
