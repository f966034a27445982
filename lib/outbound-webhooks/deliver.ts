import { Webhook } from "standardwebhooks";
import type { Database } from "@/db/client";
import {
  findEndpoint,
  findOutboxEvent,
  insertDeliveryAttempt,
  listOwnerEmails,
  updateEndpointRow,
  type OutboundWebhookEventRow,
} from "@/db/queries/outbound-webhooks";
import { withTenant } from "@/db/tenant";
import { recordAudit } from "@/lib/audit/record-audit";
import { decryptSecret } from "@/lib/crypto/secrets";
import { env } from "@/lib/env";
import { getMailer } from "@/lib/mail";
import { webhookPayloadSchema, type WebhookPayload } from "./schemas";
import { sendWebhookRequest } from "./send-request";

/**
 * Consecutive failed deliveries after which an endpoint is disabled and its organization's owners
 * are e-mailed. A delivery fails when every attempt of its retry schedule failed (with the default
 * schedule, `OUTBOUND_WEBHOOK_RETRY_DELAYS_MS`, that is about 27.5 hours of retries: Svix's
 * schedule from the Standard Webhooks ecosystem), so 5 in a row means days of a dead endpoint,
 * comparable to Svix's and Stripe's "disabled after failing for days". The number 5 is the one the
 * feature's brief (issue 15) names. Manual resends do not count.
 */
export const OUTBOUND_WEBHOOK_FAILURE_LIMIT = 5;

/** Waits between attempts in ms, from `OUTBOUND_WEBHOOK_RETRY_DELAYS_MS`; attempts = length + 1. */
export function retryDelaysMs(): number[] {
  return env.OUTBOUND_WEBHOOK_RETRY_DELAYS_MS.split(",").map(Number);
}

/**
 * The JSON body for an outbox event: `{ type, timestamp, data }` with `data.task.url` /
 * `data.approval.url` pointing at the task in the app. Validated against `webhookPayloadSchema`,
 * the shape documented in the OpenAPI document and README.
 * @throws ZodError when a stored event does not have the documented shape (a defect, not input)
 */
export function buildPayload(event: OutboundWebhookEventRow): WebhookPayload {
  const base = new URL(env.APP_URL);
  const data: Record<string, unknown> = { ...event.data };
  const withUrl = (v: unknown, taskIdKey: string) => {
    const obj = typeof v === "object" && v !== null ? (v as Record<string, unknown>) : {};
    const taskId = typeof obj[taskIdKey] === "string" ? obj[taskIdKey] : "";
    return { ...obj, url: new URL(`/tasks/${taskId}`, base).toString() };
  };
  if ("task" in data) data.task = withUrl(data.task, "id");
  if ("approval" in data) data.approval = withUrl(data.approval, "taskId");
  return webhookPayloadSchema.parse({ type: event.type, timestamp: event.createdAt.toISOString(), data });
}

/** What one attempt did: `skipped` when the endpoint is gone or disabled (nothing was sent). */
export type AttemptOutcome = { outcome: "succeeded" | "failed" | "skipped"; responseStatus: number | null; error: string | null };

/**
 * Makes attempt `attempt` of delivery run `runKey`: signs the payload with the endpoint's secret
 * (Standard Webhooks: `webhook-id` = the outbox event id, the same on every retry and resend;
 * `webhook-timestamp` = now in Unix seconds; `webhook-signature` = `v1,<base64 HMAC-SHA256>`),
 * POSTs it ({@link sendWebhookRequest}: no redirects, SSRF-guarded in hosted mode) and records the
 * attempt. A 2xx answer is a success and resets the endpoint's failure count.
 * @returns the outcome; never throws for the endpoint's failures (those are the log's business)
 */
export async function attemptDelivery(
  db: Database,
  input: { organizationId: string; endpointId: string; eventId: string; runKey: string; attempt: number; manual: boolean },
): Promise<AttemptOutcome> {
  const scope = { organizationId: input.organizationId, endpointId: input.endpointId };
  const found = await withTenant(db, input.organizationId, async (tx) => ({
    endpoint: await findEndpoint(tx, scope),
    event: await findOutboxEvent(tx, { organizationId: input.organizationId, eventId: input.eventId }),
  }));
  if (!found.endpoint || !found.event || (!found.endpoint.enabled && !input.manual)) {
    return { outcome: "skipped", responseStatus: null, error: found.endpoint ? "Endpoint disabled" : "Endpoint or event deleted" };
  }
  const body = JSON.stringify(buildPayload(found.event));
  const secret = await decryptSecret(found.endpoint.secretEncrypted, "outbound_webhook_endpoints.secret_encrypted");
  const now = new Date();
  const signature = new Webhook(secret).sign(found.event.id, now, body);
  const result = await sendWebhookRequest(
    found.endpoint.url,
    body,
    { "webhook-id": found.event.id, "webhook-timestamp": String(Math.floor(now.getTime() / 1000)), "webhook-signature": signature },
    env.OUTBOUND_WEBHOOK_TIMEOUT_MS,
  );
  const succeeded = result.error === null;
  await withTenant(db, input.organizationId, async (tx) => {
    await insertDeliveryAttempt(tx, {
      organizationId: input.organizationId,
      endpointId: input.endpointId,
      eventId: input.eventId,
      runKey: input.runKey,
      attempt: input.attempt,
      status: succeeded ? "succeeded" : "failed",
      responseStatus: result.status,
      durationMs: result.durationMs,
      error: result.error,
      responseBody: result.body || null,
      manual: input.manual,
    });
    if (succeeded && found.endpoint && found.endpoint.consecutiveFailures > 0) await updateEndpointRow(tx, scope, { consecutiveFailures: 0 });
  });
  return { outcome: succeeded ? "succeeded" : "failed", responseStatus: result.status, error: result.error };
}

/**
 * Records that every attempt of an automatic delivery run failed: the endpoint's failure count goes
 * up, and at {@link OUTBOUND_WEBHOOK_FAILURE_LIMIT} the endpoint is disabled (audited, actor system)
 * and each owner of the organization gets an e-mail through the configured mailer.
 * @returns whether this call disabled the endpoint, and the failure count
 */
export async function recordFailedDelivery(
  db: Database,
  input: { organizationId: string; endpointId: string; manual: boolean },
): Promise<{ disabled: boolean; consecutiveFailures: number }> {
  if (input.manual) return { disabled: false, consecutiveFailures: -1 };
  const scope = { organizationId: input.organizationId, endpointId: input.endpointId };
  const result = await withTenant(db, input.organizationId, async (tx) => {
    const endpoint = await findEndpoint(tx, scope);
    if (!endpoint) return null;
    const failures = endpoint.consecutiveFailures + 1;
    const disable = endpoint.enabled && failures >= OUTBOUND_WEBHOOK_FAILURE_LIMIT;
    const reason = disable ? `Disabled automatically after ${failures} consecutive failed deliveries.` : endpoint.disabledReason;
    await updateEndpointRow(tx, scope, { consecutiveFailures: failures, ...(disable ? { enabled: false, disabledReason: reason } : {}) });
    if (disable) {
      await recordAudit(tx, {
        organizationId: input.organizationId,
        actor: { userId: null },
        action: "webhook_endpoint.disabled",
        targetType: "webhook_endpoint",
        targetId: endpoint.id,
        data: { url: endpoint.url, consecutiveFailures: failures },
      });
    }
    const owners = disable ? await listOwnerEmails(tx, { organizationId: input.organizationId }) : [];
    return { endpoint, failures, disable, owners };
  });
  if (!result) return { disabled: false, consecutiveFailures: 0 };
  if (result.disable) {
    const link = new URL("/settings/webhooks", env.APP_URL).toString();
    for (const to of result.owners) {
      await getMailer().send({
        organizationId: input.organizationId,
        to,
        subject: `Webhook endpoint disabled: ${result.endpoint.url}`,
        text: [
          `Squadron disabled the webhook endpoint ${result.endpoint.url}${result.endpoint.description ? ` (${result.endpoint.description})` : ""}`,
          `after ${result.failures} consecutive deliveries failed on every retry.`,
          "",
          `See its delivery log, fix the receiver and enable it again: ${link}`,
        ].join("\n"),
        link,
      });
    }
  }
  return { disabled: result.disable, consecutiveFailures: result.failures };
}
