import type { Database } from "@/db/client";
import { findApproval, reopenApproval, settleApproval, type ApprovalRow } from "@/db/queries/approvals";
import { inngest } from "@/inngest/client";
import { approvalDecided } from "@/inngest/events";
import { recordAudit } from "@/lib/audit/record-audit";
import { appendTaskEvent } from "@/lib/events/append-task-event";
import { AppError, notFound } from "@/lib/errors";
import type { ApprovalKind } from "@/db/schema";
import type { ApprovalDecision } from "./schemas";

/** What a person approves or rejects, per approval kind, for the timeline. */
const approvalSubjects: Record<ApprovalKind, string> = {
  plan: "the plan",
  deliver: "the delivery",
  dependency_change: "the dependency change",
  budget: "going over budget",
  stuck_loop: "letting the stuck agent go on",
};

/**
 * A person decides a pending approval: the approval row is settled (approved or rejected, with the
 * comment: instructions or reason), the timeline says who decided what, and the waiting run is woken
 * with `squad/approval.decided` (event id `approval-decided-<id>`, so a repeated send is one event).
 *
 * @returns the settled approval
 * @throws AppError `not_found` (not an approval of the organization), `conflict` (already decided or
 *   expired), `unavailable` (the workflow engine could not be reached; the approval is pending again)
 */
export async function decideApproval(
  db: Database,
  q: { organizationId: string; approvalId: string; user: { id: string; name: string }; apiKeyId?: string | null },
  input: ApprovalDecision,
): Promise<ApprovalRow> {
  const comment = input.comment?.trim() ? input.comment.trim() : null;
  const settled = await db.transaction(async (tx) => {
    const scope = { organizationId: q.organizationId, approvalId: q.approvalId };
    const row = await settleApproval(tx, scope, {
      status: input.decision === "approve" ? "approved" : "rejected",
      decidedByUserId: q.user.id,
      comment,
    });
    if (!row) {
      const existing = await findApproval(tx, scope);
      if (!existing) throw notFound("Approval");
      throw new AppError("conflict", `This approval is already ${existing.status}.`);
    }
    const what = approvalSubjects[row.kind];
    const message =
      input.decision === "approve"
        ? `${q.user.name} approved ${what}${comment ? `, with instructions: ${comment}` : ""}`
        : `${q.user.name} rejected ${what}${comment ? `: ${comment}` : ""}`;
    await appendTaskEvent(tx, {
      organizationId: q.organizationId,
      taskId: row.taskId,
      type: "approval",
      actor: "user",
      message,
      data: { approvalId: row.id, kind: row.kind, approvalStatus: row.status, decision: input.decision, comment, by: q.user.name },
    });
    await recordAudit(tx, {
      organizationId: q.organizationId,
      actor: { userId: q.user.id, apiKeyId: q.apiKeyId ?? null },
      action: "approval.decided",
      targetType: "approval",
      targetId: row.id,
      data: { taskId: row.taskId, kind: row.kind, decision: input.decision, comment },
    });
    return row;
  });
  try {
    await inngest.send(
      approvalDecided.create(
        {
          approvalId: settled.id,
          taskId: settled.taskId,
          organizationId: q.organizationId,
          decision: input.decision,
          ...(comment ? { comment } : {}),
          decidedByUserId: q.user.id,
        },
        { id: `approval-decided-${settled.id}` },
      ),
    );
  } catch (error) {
    await reopenApproval(db, { organizationId: q.organizationId, approvalId: settled.id });
    const reason = error instanceof Error ? error.message : String(error);
    throw new AppError("unavailable", `The decision could not be delivered to the squad; try again. ${reason}`);
  }
  return settled;
}
