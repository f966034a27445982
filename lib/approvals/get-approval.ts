import type { DbOrTx } from "@/db/client";
import { listApprovals } from "@/db/queries/approvals";
import { notFound } from "@/lib/errors";
import { serializeApproval, type ApprovalJson } from "./serialize";

/**
 * One approval of the organization, as the API shows it.
 * @throws AppError `not_found` when it is not an approval of the organization
 */
export async function getApprovalOrThrow(db: DbOrTx, q: { organizationId: string; approvalId: string }): Promise<ApprovalJson> {
  const [row] = await listApprovals(db, { organizationId: q.organizationId, approvalId: q.approvalId, limit: 1 });
  if (!row) throw notFound("Approval");
  return serializeApproval(row);
}
