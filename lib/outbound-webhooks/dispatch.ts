import type { Database } from "@/db/client";
import { claimUndispatchedEvents, listSubscribedEndpoints } from "@/db/queries/outbound-webhooks";

/** Most outbox events one dispatcher step claims. */
export const DISPATCH_BATCH = 200;

/** One delivery run to start: event `eventId` of the organization to endpoint `endpointId`. */
export type DeliveryToStart = { organizationId: string; endpointId: string; eventId: string };

/**
 * Claims the outbox events not yet fanned out (every organization, as the owner connection) and
 * lists one delivery per (event, enabled endpoint subscribed to its type at this moment).
 * @returns the deliveries to start; their Inngest event id `owh-<event>-<endpoint>` makes a repeat a no-op
 */
export async function claimDeliveries(db: Database): Promise<DeliveryToStart[]> {
  return db.transaction(async (tx) => {
    const events = await claimUndispatchedEvents(tx, DISPATCH_BATCH);
    const out: DeliveryToStart[] = [];
    for (const event of events) {
      for (const endpoint of await listSubscribedEndpoints(tx, { organizationId: event.organizationId, type: event.type })) {
        out.push({ organizationId: event.organizationId, endpointId: endpoint.id, eventId: event.id });
      }
    }
    return out;
  });
}
