import { withTenant } from "@/db/tenant";
import { getDb } from "@/db/client";
import { listApprovals } from "@/db/queries/approvals";
import { parseQuery, withContext } from "@/lib/api/handler";
import { listApprovalsQuerySchema } from "@/lib/approvals/schemas";
import { serializeApproval } from "@/lib/approvals/serialize";

export const dynamic = "force-dynamic";

/**
 * `GET /api/v1/approvals?status=pending` → the organization's approvals, newest first (JSON array of
 * `{ id, taskId, taskTitle, kind, reason, status, … }`). `status` takes one or more comma-separated
 * statuses (`pending`, `approved`, `rejected`, `expired`); without it, all.
 */
export const GET = withContext(async (req, ctx) => {
  const query = parseQuery(req, listApprovalsQuerySchema);
  const rows = await withTenant(getDb(), ctx.organizationId, (tx) =>
    listApprovals(tx, { organizationId: ctx.organizationId, statuses: query.status, limit: query.limit }),
  );
  return Response.json(rows.map(serializeApproval));
}, { requires: { approval: ["read"] } });
