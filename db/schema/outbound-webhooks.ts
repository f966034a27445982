import { sql } from "drizzle-orm";
import { boolean, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { createdAt, organizationId, updatedAt } from "./_columns";
import { user } from "./auth";

/**
 * Event types an outbound webhook endpoint can subscribe to. Written into the outbox by database
 * triggers on `tasks` and `approvals` (migration `outbound_webhooks`), in the transaction of the
 * change itself, so no committed change is missed and no rolled-back one is announced.
 * - `task.created`: a top-level task was stored (any source);
 * - `task.completed` / `task.failed` / `task.cancelled`: a top-level task reached that status;
 * - `approval.requested`: a pending approval was created;
 * - `approval.decided`: an approval left `pending` (approved, rejected or expired).
 */
export const outboundWebhookEventTypes = [
  "task.created",
  "task.completed",
  "task.failed",
  "task.cancelled",
  "approval.requested",
  "approval.decided",
] as const;
export type OutboundWebhookEventType = (typeof outboundWebhookEventTypes)[number];

/**
 * An organization's HTTPS (or HTTP) endpoint that receives signed event notifications
 * (Standard Webhooks). The signing secret (`whsec_…`) is stored encrypted (`lib/crypto/secrets`) and
 * shown once when created or rotated.
 */
export const outboundWebhookEndpoints = pgTable(
  "outbound_webhook_endpoints",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    organizationId: organizationId(),
    url: text("url").notNull(),
    description: text("description").notNull().default(""),
    /** Subscribed event types (values of {@link outboundWebhookEventTypes}). */
    eventTypes: jsonb("event_types").$type<OutboundWebhookEventType[]>().notNull(),
    secretEncrypted: text("secret_encrypted").notNull(),
    enabled: boolean("enabled").notNull().default(true),
    /** Why the endpoint was disabled automatically (null when enabled or disabled by a person). */
    disabledReason: text("disabled_reason"),
    /** Deliveries in a row whose every attempt failed; a success resets it to 0. */
    consecutiveFailures: integer("consecutive_failures").notNull().default(0),
    createdByUserId: text("created_by_user_id").references(() => user.id, { onDelete: "set null" }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index("outbound_webhook_endpoints_organization_idx").on(t.organizationId)],
);

/**
 * The outbox: one row per event that happened, written by triggers in the same transaction as the
 * change. `dispatchedAt` is set when the dispatcher fanned it out to the subscribed endpoints. The
 * id is the Standard Webhooks message id (`webhook-id`), stable across retries and resends.
 */
export const outboundWebhookEvents = pgTable(
  "outbound_webhook_events",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    organizationId: organizationId(),
    type: text("type", { enum: outboundWebhookEventTypes }).notNull(),
    /** The event's `data` object (task or approval facts; see `lib/outbound-webhooks/payload.ts`). */
    data: jsonb("data").$type<Record<string, unknown>>().notNull(),
    dispatchedAt: timestamp("dispatched_at", { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [
    index("outbound_webhook_events_organization_idx").on(t.organizationId),
    index("outbound_webhook_events_undispatched_idx").on(t.createdAt).where(sql`${t.dispatchedAt} is null`),
  ],
);

/** One HTTP attempt to deliver an event to an endpoint. */
export const outboundWebhookDeliveries = pgTable(
  "outbound_webhook_deliveries",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    organizationId: organizationId(),
    endpointId: uuid("endpoint_id")
      .notNull()
      .references(() => outboundWebhookEndpoints.id, { onDelete: "cascade" }),
    eventId: uuid("event_id")
      .notNull()
      .references(() => outboundWebhookEvents.id, { onDelete: "cascade" }),
    /** Which delivery run this attempt belongs to (the Inngest event id: automatic or a resend). */
    runKey: text("run_key").notNull(),
    /** 1 for the first try of a run, 2 for its first retry, … */
    attempt: integer("attempt").notNull(),
    status: text("status", { enum: ["succeeded", "failed"] }).notNull(),
    /** HTTP status the endpoint answered; null when no response came (refused, timeout, DNS). */
    responseStatus: integer("response_status"),
    /** Wall time of the request, in milliseconds. */
    durationMs: integer("duration_ms").notNull(),
    /** What went wrong, in a sentence (never the secret). */
    error: text("error"),
    /** First 1,000 characters of the response body, for support. */
    responseBody: text("response_body"),
    /** Started by a person (resend) rather than by the event. */
    manual: boolean("manual").notNull().default(false),
    createdAt: createdAt(),
  },
  (t) => [
    index("outbound_webhook_deliveries_endpoint_idx").on(t.organizationId, t.endpointId, t.createdAt),
    uniqueIndex("outbound_webhook_deliveries_attempt_uq").on(t.runKey, t.endpointId, t.attempt),
  ],
);
