import type { OutboundWebhookDeliveryRow, OutboundWebhookEndpointRow } from "@/db/queries/outbound-webhooks";
import type { OutboundWebhookEventType } from "@/db/schema";
import type { WebhookDeliveryJson, WebhookEndpointJson } from "./schemas";

/** An endpoint row as the API returns it (never the secret; see `webhookEndpointSchema`). */
export function serializeEndpoint(row: OutboundWebhookEndpointRow): WebhookEndpointJson {
  return {
    id: row.id,
    url: row.url,
    description: row.description,
    eventTypes: row.eventTypes,
    enabled: row.enabled,
    disabledReason: row.disabledReason,
    consecutiveFailures: row.consecutiveFailures,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** A delivery attempt as the API returns it (see `webhookDeliverySchema`). */
export function serializeDelivery(row: OutboundWebhookDeliveryRow & { eventType: OutboundWebhookEventType }): WebhookDeliveryJson {
  return {
    id: row.id,
    endpointId: row.endpointId,
    eventId: row.eventId,
    eventType: row.eventType,
    attempt: row.attempt,
    status: row.status,
    responseStatus: row.responseStatus,
    durationMs: row.durationMs,
    error: row.error,
    manual: row.manual,
    createdAt: row.createdAt.toISOString(),
  };
}
