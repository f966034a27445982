import type { ApprovalListRow } from "@/db/queries/approvals";

/**
 * The public JSON of an approval. `comment` is the decider's instructions (approve) or reason
 * (reject); `details` holds the facts behind the request (policy rule, files, cost, looping call).
 * Dates are ISO-8601 strings.
 */
export function serializeApproval(a: ApprovalListRow) {
  return {
    id: a.id,
    taskId: a.taskId,
    taskTitle: a.taskTitle,
    kind: a.kind,
    reason: a.reason,
    status: a.status,
    requestedBy: a.requestedBy,
    details: a.details ?? {},
    comment: a.comment,
    decidedBy: a.decidedByName,
    decidedAt: a.decidedAt?.toISOString() ?? null,
    expiresAt: a.expiresAt?.toISOString() ?? null,
    createdAt: a.createdAt.toISOString(),
  };
}
export type ApprovalJson = ReturnType<typeof serializeApproval>;
