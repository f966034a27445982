import { z } from "zod";
import { outboundWebhookEventTypes } from "@/db/schema/outbound-webhooks";

export { outboundWebhookEventTypes };

/** An endpoint URL: absolute http(s), at most 2,000 characters, no credentials in it. */
export const endpointUrlSchema = z
  .url({ protocol: /^https?$/, error: "Enter an http:// or https:// URL" })
  .max(2000)
  .refine((u) => {
    // zod runs this refinement even when the URL check above failed: an unparsable string is left to
    // that check's message rather than thrown from here (a throw would be a 500).
    if (!URL.canParse(u)) return true;
    const url = new URL(u);
    return !url.username && !url.password;
  }, "Put credentials in a header-free form: user:password in the URL is not allowed");

const eventTypesSchema = z
  .array(z.enum(outboundWebhookEventTypes))
  .min(1, "Choose at least one event type")
  .transform((types) => [...new Set(types)]);

/** `POST /api/v1/webhook-endpoints` body; the Settings form uses the same schema. */
export const createEndpointInputSchema = z.object({
  url: endpointUrlSchema,
  description: z.string().trim().max(500).default(""),
  eventTypes: eventTypesSchema,
});
export type CreateEndpointInput = z.input<typeof createEndpointInputSchema>;
export type CreateEndpointData = z.output<typeof createEndpointInputSchema>;

/** `PATCH /api/v1/webhook-endpoints/{id}` body: any of the fields; `enabled: true` also resets the failure count. */
export const updateEndpointInputSchema = z
  .object({
    url: endpointUrlSchema.optional(),
    description: z.string().trim().max(500).optional(),
    eventTypes: eventTypesSchema.optional(),
    enabled: z.boolean().optional(),
  })
  .refine((v) => Object.values(v).some((x) => x !== undefined), "Give at least one field to change");
export type UpdateEndpointData = z.output<typeof updateEndpointInputSchema>;

/** `GET …/deliveries?limit=` query. */
export const listDeliveriesQuerySchema = z.object({ limit: z.coerce.number().int().min(1).max(500).default(100) });

/** An endpoint as the API returns it (never the secret). */
export const webhookEndpointSchema = z.object({
  id: z.uuid(),
  url: z.string(),
  description: z.string(),
  eventTypes: z.array(z.enum(outboundWebhookEventTypes)),
  enabled: z.boolean(),
  disabledReason: z.string().nullable(),
  consecutiveFailures: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type WebhookEndpointJson = z.infer<typeof webhookEndpointSchema>;

/** Create and rotate answer: the endpoint plus its signing secret, shown this once. */
export const webhookEndpointWithSecretSchema = webhookEndpointSchema.extend({
  secret: z.string().startsWith("whsec_").describe("Standard Webhooks signing secret; shown only in this response"),
});

/** One delivery attempt as the API returns it. */
export const webhookDeliverySchema = z.object({
  id: z.uuid(),
  endpointId: z.uuid(),
  eventId: z.uuid().describe("The message id sent as `webhook-id`"),
  eventType: z.enum(outboundWebhookEventTypes),
  attempt: z.number().int().describe("1 for the first try of a delivery run, 2 for its first retry, …"),
  status: z.enum(["succeeded", "failed"]),
  responseStatus: z.number().int().nullable().describe("HTTP status the endpoint answered; null when none came"),
  durationMs: z.number().int().describe("Wall time of the request in milliseconds"),
  error: z.string().nullable(),
  manual: z.boolean().describe("Started by a resend"),
  createdAt: z.string(),
});
export type WebhookDeliveryJson = z.infer<typeof webhookDeliverySchema>;

const taskData = z.object({
  task: z.object({
    id: z.uuid(),
    title: z.string(),
    status: z.string(),
    outcome: z.string().nullable(),
    source: z.string(),
    externalRef: z.string().nullable(),
    squadId: z.uuid(),
    repositoryId: z.uuid().nullable(),
    error: z.string().nullable(),
    createdAt: z.string(),
    completedAt: z.string().nullable(),
    url: z.string().describe("The task's page in the app"),
  }),
});
const approvalData = z.object({
  approval: z.object({
    id: z.uuid(),
    taskId: z.uuid(),
    taskTitle: z.string().nullable(),
    kind: z.string(),
    status: z.enum(["pending", "approved", "rejected", "expired"]),
    reason: z.string(),
    requestedBy: z.string(),
    comment: z.string().nullable(),
    decidedByUserId: z.string().nullable(),
    decidedAt: z.string().nullable(),
    expiresAt: z.string().nullable(),
    createdAt: z.string(),
    url: z.string().describe("The task's page in the app, where the approval is decided"),
  }),
});

/**
 * The JSON body of every outbound webhook (Standard Webhooks' recommended envelope): `type`, the
 * ISO `timestamp` of the change, and `data` (`task` for task.*, `approval` for approval.*).
 */
export const webhookPayloadSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("task.created"), timestamp: z.string(), data: taskData }),
  z.object({ type: z.literal("task.completed"), timestamp: z.string(), data: taskData }),
  z.object({ type: z.literal("task.failed"), timestamp: z.string(), data: taskData }),
  z.object({ type: z.literal("task.cancelled"), timestamp: z.string(), data: taskData }),
  z.object({ type: z.literal("approval.requested"), timestamp: z.string(), data: approvalData }),
  z.object({ type: z.literal("approval.decided"), timestamp: z.string(), data: approvalData }),
]);
export type WebhookPayload = z.infer<typeof webhookPayloadSchema>;
