import { z } from "zod";
import { approvalStatuses } from "@/db/schema/tasks";

export { approvalDecisionSchema, type ApprovalDecision, type ApprovalDecisionInput } from "./decision-schema";

/** Query of `GET /api/v1/approvals`: `status` filters (comma-separated statuses allowed); `limit` 1–200. */
export const listApprovalsQuerySchema = z.object({
  status: z
    .string()
    .optional()
    .transform((v) => (v ? v.split(",").map((s) => s.trim()).filter(Boolean) : []))
    .pipe(z.array(z.enum(approvalStatuses))),
  limit: z.coerce.number().int().min(1).max(200).default(100),
});
