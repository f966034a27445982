import { getDb } from "@/db/client";
import { parseIdParam, parseJsonBody, withContext } from "@/lib/api/handler";
import { decideApproval } from "@/lib/approvals/decide-approval";
import { getApprovalOrThrow } from "@/lib/approvals/get-approval";
import { approvalDecisionSchema } from "@/lib/approvals/schemas";

export const dynamic = "force-dynamic";

/**
 * `POST /api/v1/approvals/{id}/decision` `{ decision: "approve" | "reject", comment? }` → the decided
 * approval. Approving with a comment gives the squad instructions; rejecting ends the task
 * `cancelled` with the comment as the reason. 409 when it is no longer pending.
 */
export const POST = withContext<{ id: string }>(async (req, ctx, params) => {
  const approvalId = parseIdParam(params.id, "Approval");
  const input = await parseJsonBody(req, approvalDecisionSchema);
  const db = getDb();
  await decideApproval(db, { organizationId: ctx.organizationId, approvalId, user: ctx.user, apiKeyId: ctx.apiKeyId }, input);
  return Response.json(await getApprovalOrThrow(db, { organizationId: ctx.organizationId, approvalId }));
}, { requires: { approval: ["decide"] } });
