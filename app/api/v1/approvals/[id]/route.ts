import { withTenant } from "@/db/tenant";
import { getDb } from "@/db/client";
import { parseIdParam, withContext } from "@/lib/api/handler";
import { getApprovalOrThrow } from "@/lib/approvals/get-approval";

export const dynamic = "force-dynamic";

/** `GET /api/v1/approvals/{id}` → the approval. */
export const GET = withContext<{ id: string }>(async (_req, ctx, params) => {
  const approvalId = parseIdParam(params.id, "Approval");
  return Response.json(await withTenant(getDb(), ctx.organizationId, (tx) => getApprovalOrThrow(tx, { organizationId: ctx.organizationId, approvalId })));
}, { requires: { approval: ["read"] } });
