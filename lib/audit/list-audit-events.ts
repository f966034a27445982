import type { DbOrTx } from "@/db/client";
import { listAuditEvents, type AuditEventListRow } from "@/db/queries/audit-events";
import type { AuditEventJson, AuditEventPage } from "./schemas";

function serializeAuditEvent(e: AuditEventListRow): AuditEventJson {
  return {
    id: e.id,
    action: e.action,
    targetType: e.targetType,
    targetId: e.targetId,
    actor: { userId: e.actorUserId, name: e.actorName, email: e.actorEmail, apiKeyId: e.actorApiKeyId },
    data: e.data ?? {},
    createdAt: e.createdAt.toISOString(),
  };
}

/**
 * One page of the organization's audit log, newest first.
 * @param q.cursor the last id of the previous page (exclusive), or undefined for the first page
 * @returns `{ items, nextCursor }`; `nextCursor` is null on the last page
 */
export async function listAuditEventPage(
  db: DbOrTx,
  q: { organizationId: string; cursor?: number; limit: number },
): Promise<AuditEventPage> {
  // One extra row tells whether another page exists without a second query.
  const rows = await listAuditEvents(db, { organizationId: q.organizationId, before: q.cursor, limit: q.limit + 1 });
  const page = rows.slice(0, q.limit);
  return {
    items: page.map(serializeAuditEvent),
    nextCursor: rows.length > q.limit ? page[page.length - 1].id : null,
  };
}
