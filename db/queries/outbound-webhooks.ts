import { and, asc, desc, eq, isNull, sql } from "drizzle-orm";
import type { DbOrTx } from "../client";
import { member, outboundWebhookDeliveries, outboundWebhookEndpoints, outboundWebhookEvents, user } from "../schema";

export type OutboundWebhookEndpointRow = typeof outboundWebhookEndpoints.$inferSelect;
export type OutboundWebhookEventRow = typeof outboundWebhookEvents.$inferSelect;
export type OutboundWebhookDeliveryRow = typeof outboundWebhookDeliveries.$inferSelect;

/** The organization's endpoints, oldest first. */
export async function listEndpoints(db: DbOrTx, q: { organizationId: string }): Promise<OutboundWebhookEndpointRow[]> {
  return db
    .select()
    .from(outboundWebhookEndpoints)
    .where(eq(outboundWebhookEndpoints.organizationId, q.organizationId))
    .orderBy(asc(outboundWebhookEndpoints.createdAt), asc(outboundWebhookEndpoints.id));
}

/** One endpoint of the organization, or undefined. */
export async function findEndpoint(db: DbOrTx, q: { organizationId: string; endpointId: string }): Promise<OutboundWebhookEndpointRow | undefined> {
  const [row] = await db
    .select()
    .from(outboundWebhookEndpoints)
    .where(and(eq(outboundWebhookEndpoints.organizationId, q.organizationId), eq(outboundWebhookEndpoints.id, q.endpointId)));
  return row;
}

export async function insertEndpoint(db: DbOrTx, values: typeof outboundWebhookEndpoints.$inferInsert): Promise<OutboundWebhookEndpointRow> {
  const [row] = await db.insert(outboundWebhookEndpoints).values(values).returning();
  return row;
}

/** Updates an endpoint of the organization; undefined when there is none. */
export async function updateEndpointRow(
  db: DbOrTx,
  q: { organizationId: string; endpointId: string },
  values: Partial<Pick<OutboundWebhookEndpointRow, "url" | "description" | "eventTypes" | "enabled" | "disabledReason" | "consecutiveFailures" | "secretEncrypted">>,
): Promise<OutboundWebhookEndpointRow | undefined> {
  const [row] = await db
    .update(outboundWebhookEndpoints)
    .set(values)
    .where(and(eq(outboundWebhookEndpoints.organizationId, q.organizationId), eq(outboundWebhookEndpoints.id, q.endpointId)))
    .returning();
  return row;
}

/** Deletes an endpoint (and its delivery log); false when there was none. */
export async function deleteEndpointRow(db: DbOrTx, q: { organizationId: string; endpointId: string }): Promise<boolean> {
  const rows = await db
    .delete(outboundWebhookEndpoints)
    .where(and(eq(outboundWebhookEndpoints.organizationId, q.organizationId), eq(outboundWebhookEndpoints.id, q.endpointId)))
    .returning({ id: outboundWebhookEndpoints.id });
  return rows.length > 0;
}

/** One outbox event of the organization, or undefined. */
export async function findOutboxEvent(db: DbOrTx, q: { organizationId: string; eventId: string }): Promise<OutboundWebhookEventRow | undefined> {
  const [row] = await db
    .select()
    .from(outboundWebhookEvents)
    .where(and(eq(outboundWebhookEvents.organizationId, q.organizationId), eq(outboundWebhookEvents.id, q.eventId)));
  return row;
}

/**
 * Claims up to `limit` outbox events not yet fanned out, oldest first, and marks them dispatched
 * (`FOR UPDATE SKIP LOCKED`, so two dispatchers never claim the same row). Every organization.
 */
export async function claimUndispatchedEvents(db: DbOrTx, limit: number): Promise<OutboundWebhookEventRow[]> {
  const pending = db
    .select({ id: outboundWebhookEvents.id })
    .from(outboundWebhookEvents)
    .where(isNull(outboundWebhookEvents.dispatchedAt))
    .orderBy(asc(outboundWebhookEvents.createdAt))
    .limit(limit)
    .for("update", { skipLocked: true });
  return db
    .update(outboundWebhookEvents)
    .set({ dispatchedAt: new Date() })
    .where(sql`${outboundWebhookEvents.id} in (${pending})`)
    .returning();
}

/** The enabled endpoints of an organization subscribed to `type`. */
export async function listSubscribedEndpoints(db: DbOrTx, q: { organizationId: string; type: string }): Promise<OutboundWebhookEndpointRow[]> {
  return db
    .select()
    .from(outboundWebhookEndpoints)
    .where(
      and(
        eq(outboundWebhookEndpoints.organizationId, q.organizationId),
        eq(outboundWebhookEndpoints.enabled, true),
        sql`${outboundWebhookEndpoints.eventTypes} ? ${q.type}`,
      ),
    );
}

/** Records one attempt; a replayed step with the same (run, endpoint, attempt) keeps the first row. */
export async function insertDeliveryAttempt(db: DbOrTx, values: typeof outboundWebhookDeliveries.$inferInsert): Promise<void> {
  await db.insert(outboundWebhookDeliveries).values(values).onConflictDoNothing();
}

/** An endpoint's delivery attempts, newest first, with the event type. */
export async function listDeliveries(
  db: DbOrTx,
  q: { organizationId: string; endpointId: string; limit?: number },
): Promise<(OutboundWebhookDeliveryRow & { eventType: OutboundWebhookEventRow["type"] })[]> {
  return db
    .select({ delivery: outboundWebhookDeliveries, eventType: outboundWebhookEvents.type })
    .from(outboundWebhookDeliveries)
    .innerJoin(outboundWebhookEvents, eq(outboundWebhookEvents.id, outboundWebhookDeliveries.eventId))
    .where(and(eq(outboundWebhookDeliveries.organizationId, q.organizationId), eq(outboundWebhookDeliveries.endpointId, q.endpointId)))
    .orderBy(desc(outboundWebhookDeliveries.createdAt), desc(outboundWebhookDeliveries.attempt))
    .limit(q.limit ?? 100)
    .then((rows) => rows.map((r) => ({ ...r.delivery, eventType: r.eventType })));
}

/** One delivery attempt of an endpoint of the organization, or undefined. */
export async function findDelivery(
  db: DbOrTx,
  q: { organizationId: string; endpointId: string; deliveryId: string },
): Promise<OutboundWebhookDeliveryRow | undefined> {
  const [row] = await db
    .select()
    .from(outboundWebhookDeliveries)
    .where(
      and(
        eq(outboundWebhookDeliveries.organizationId, q.organizationId),
        eq(outboundWebhookDeliveries.endpointId, q.endpointId),
        eq(outboundWebhookDeliveries.id, q.deliveryId),
      ),
    );
  return row;
}

/** E-mail addresses of the organization's owners. */
export async function listOwnerEmails(db: DbOrTx, q: { organizationId: string }): Promise<string[]> {
  const rows = await db
    .select({ email: user.email })
    .from(member)
    .innerJoin(user, eq(user.id, member.userId))
    .where(and(eq(member.organizationId, q.organizationId), eq(member.role, "owner")));
  return rows.map((r) => r.email);
}
