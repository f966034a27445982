import { and, desc, eq, lt } from "drizzle-orm";
import type { DbOrTx } from "../client";
import { auditEvents, user } from "../schema";

// Tenant-scoped queries of the audit log: every function takes the organization explicitly.

/** An audit row with the acting person's name and email (null for the system or a deleted user). */
export type AuditEventListRow = typeof auditEvents.$inferSelect & { actorName: string | null; actorEmail: string | null };

/**
 * One page of an organization's audit log, newest first (by id).
 * @param q.before only rows with an id below this one (the previous page's last id)
 * @param q.limit rows per page
 */
export async function listAuditEvents(
  db: DbOrTx,
  q: { organizationId: string; before?: number; limit: number },
): Promise<AuditEventListRow[]> {
  const rows = await db
    .select({ event: auditEvents, actorName: user.name, actorEmail: user.email })
    .from(auditEvents)
    .leftJoin(user, eq(user.id, auditEvents.actorUserId))
    .where(
      q.before === undefined
        ? eq(auditEvents.organizationId, q.organizationId)
        : and(eq(auditEvents.organizationId, q.organizationId), lt(auditEvents.id, q.before)),
    )
    .orderBy(desc(auditEvents.id))
    .limit(q.limit);
  return rows.map((r) => ({ ...r.event, actorName: r.actorName, actorEmail: r.actorEmail }));
}
