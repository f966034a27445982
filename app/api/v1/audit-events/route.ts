import { withTenant } from "@/db/tenant";
import { getDb } from "@/db/client";
import { parseQuery, withContext } from "@/lib/api/handler";
import { listAuditEventPage } from "@/lib/audit/list-audit-events";
import { listAuditEventsQuerySchema } from "@/lib/audit/schemas";

export const dynamic = "force-dynamic";

/**
 * `GET /api/v1/audit-events?cursor=&limit=` → `{ items, nextCursor }`: the organization's audit log
 * (approvals, API keys, members and roles, invitations, squad policy and routing), newest first.
 * Pass `nextCursor` back as `cursor` for the next page. Owners and admins only (`audit:read`).
 */
export const GET = withContext(
  async (req, ctx) => {
    const query = parseQuery(req, listAuditEventsQuerySchema);
    const page = await withTenant(getDb(), ctx.organizationId, (tx) => listAuditEventPage(tx, { organizationId: ctx.organizationId, ...query }));
    return Response.json(page);
  },
  { requires: { audit: ["read"] } },
);
