import { withTenant } from "@/db/tenant";
import { getDb } from "@/db/client";
import { withContext } from "@/lib/api/handler";
import { listAuditEventPage } from "@/lib/audit/list-audit-events";
import { listAuditEventsQuerySchema } from "@/lib/audit/schemas";
import { requirePermission } from "@/lib/auth/session";
import { fromZodError } from "@/lib/errors";

export const dynamic = "force-dynamic";

/**
 * `GET /api/v1/audit-events?cursor=&limit=` → `{ items, nextCursor }`: the organization's audit log
 * (approvals, API keys, members and roles, invitations, squad policy and routing), newest first.
 * Pass `nextCursor` back as `cursor` for the next page. Owners and admins only (`audit:read`).
 */
export const GET = withContext(async (req, ctx) => {
  requirePermission(ctx, { audit: ["read"] });
  const query = listAuditEventsQuerySchema.safeParse(Object.fromEntries(new URL(req.url).searchParams));
  if (!query.success) throw fromZodError(query.error, "query");
  const page = await withTenant(getDb(), ctx.organizationId, (tx) => listAuditEventPage(tx, { organizationId: ctx.organizationId, ...query.data }));
  return Response.json(page);
});
