import { z } from "zod";

/**
 * Body of `POST /api/v1/approvals/{id}/decision` and of the decision form (client-safe: zod only):
 * approve (the comment, if any, is the person's instructions to the squad) or reject (the comment is
 * the reason the task is cancelled).
 */
export const approvalDecisionSchema = z.object({
  decision: z.enum(["approve", "reject"]),
  comment: z.string().trim().max(10_000, "Comment must be at most 10,000 characters").optional(),
});
export type ApprovalDecisionInput = z.input<typeof approvalDecisionSchema>;
export type ApprovalDecision = z.output<typeof approvalDecisionSchema>;
