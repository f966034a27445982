import { getDb } from "@/db/client";
import { countPendingApprovals, findApproval, settleApproval } from "@/db/queries/approvals";
import { findTask, updateTask } from "@/db/queries/tasks";
import { user, type TaskStatus } from "@/db/schema";
import { eq } from "drizzle-orm";
import { appendTaskEvent } from "@/lib/events/append-task-event";
import { AppError } from "@/lib/errors";

/** How an approval the run waited on ended. Plain JSON (a step result). */
export type ApprovalOutcome = {
  status: "approved" | "rejected" | "expired";
  /** Instructions (approved) or reason (rejected) the person gave. */
  comment: string | null;
  /** The deciding person's name, null when it expired. */
  decidedBy: string | null;
};

/**
 * Settles the approval a run waited on. `decision` is what `squad/approval.decided` carried, or null
 * when the wait timed out: then a still-pending approval becomes `expired` (timeline entry); one
 * decided in the moment between the timeout and this step keeps its decision. When approved and no
 * other approval of the task is pending, the task goes back to `resumeStatus`.
 * @throws AppError `not_found` when the approval is gone
 */
export async function resolveApproval(
  scope: { organizationId: string; taskId: string },
  runId: string,
  input: { approvalId: string; key: string; decision: { decision: "approve" | "reject"; comment?: string } | null; resumeStatus: TaskStatus },
): Promise<ApprovalOutcome> {
  const db = getDb();
  return db.transaction(async (tx) => {
    const q = { organizationId: scope.organizationId, approvalId: input.approvalId };
    if (input.decision === null) {
      const expired = await settleApproval(tx, q, { status: "expired" });
      if (expired) {
        const waited = expired.expiresAt ? Math.round((expired.expiresAt.getTime() - expired.createdAt.getTime()) / 1000) : null;
        await appendTaskEvent(tx, {
          ...scope,
          type: "approval",
          actor: "system",
          message: `Nobody decided in time: the ${expired.kind.replace("_", " ")} approval expired${waited !== null ? ` after ${waited} s` : ""}`,
          data: { approvalId: expired.id, kind: expired.kind, approvalStatus: "expired" },
          dedupeKey: `${runId}:approval:${input.key}:expired`,
        });
        return { status: "expired", comment: null, decidedBy: null };
      }
    }
    const row = await findApproval(tx, q);
    if (!row) throw new AppError("not_found", "Approval not found");
    const [decider] = row.decidedByUserId
      ? await tx.select({ name: user.name }).from(user).where(eq(user.id, row.decidedByUserId)).limit(1)
      : [];
    const status =
      row.status === "pending"
        ? input.decision?.decision === "reject"
          ? "rejected"
          : "approved"
        : row.status;
    const outcome: ApprovalOutcome = {
      status,
      comment: row.status === "pending" ? (input.decision?.comment ?? null) : row.comment,
      decidedBy: decider?.name ?? null,
    };
    if (outcome.status === "approved") {
      const task = await findTask(tx, scope);
      const others = await countPendingApprovals(tx, scope);
      if (task && task.status === "awaiting_approval" && others === 0) {
        await updateTask(tx, scope, { status: input.resumeStatus });
        await appendTaskEvent(tx, {
          ...scope,
          type: "status",
          actor: "system",
          message: `Approved${outcome.decidedBy ? ` by ${outcome.decidedBy}` : ""}: the squad goes on`,
          data: { status: input.resumeStatus, approvalId: row.id },
          dedupeKey: `${runId}:approval:${input.key}:resumed`,
        });
      }
    }
    return outcome;
  });
}
