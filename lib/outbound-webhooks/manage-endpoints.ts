import { randomBytes, randomUUID } from "node:crypto";
import type { Database, DbOrTx } from "@/db/client";
import {
  deleteEndpointRow,
  findDelivery,
  findEndpoint,
  insertEndpoint,
  listDeliveries,
  listEndpoints,
  updateEndpointRow,
  type OutboundWebhookEndpointRow,
} from "@/db/queries/outbound-webhooks";
import { withTenant } from "@/db/tenant";
import { inngest } from "@/inngest/client";
import { outboundWebhookDeliveryRequested } from "@/inngest/events";
import { recordAudit, type AuditActor } from "@/lib/audit/record-audit";
import { encryptSecret } from "@/lib/crypto/secrets";
import { AppError } from "@/lib/errors";
import type { CreateEndpointData, UpdateEndpointData, WebhookDeliveryJson, WebhookEndpointJson } from "./schemas";
import { serializeDelivery, serializeEndpoint } from "./serialize";
import { assertPublicUrl } from "./ssrf";

type Scope = { organizationId: string; actor: AuditActor };

/**
 * A new Standard Webhooks signing secret: `whsec_` + base64 of 32 random bytes (the spec asks for
 * 24 to 64 bytes; `standardwebhooks`' `Webhook` takes it as is).
 */
export function generateSigningSecret(): string {
  return `whsec_${randomBytes(32).toString("base64")}`;
}

/** The organization's endpoints (no secrets). */
export async function listEndpointJson(db: DbOrTx, q: { organizationId: string }): Promise<WebhookEndpointJson[]> {
  return (await listEndpoints(db, q)).map(serializeEndpoint);
}

/**
 * One endpoint of the organization.
 * @throws AppError `not_found` when it is not the organization's (another organization's is a 404 too)
 */
export async function getEndpointOrThrow(db: DbOrTx, q: { organizationId: string; endpointId: string }): Promise<OutboundWebhookEndpointRow> {
  const row = await findEndpoint(db, q);
  if (!row) throw new AppError("not_found", "Webhook endpoint not found");
  return row;
}

/**
 * Creates an endpoint with a new signing secret (stored encrypted), audited.
 * @returns the endpoint and its `secret`, which is shown only in this answer
 * @throws AppError `invalid_input` when hosted mode refuses the URL (SSRF guard)
 */
export async function createEndpoint(
  db: Database,
  scope: Scope,
  input: CreateEndpointData,
): Promise<WebhookEndpointJson & { secret: string }> {
  await assertPublicUrl(input.url);
  const secret = generateSigningSecret();
  const secretEncrypted = await encryptSecret(secret);
  const row = await withTenant(db, scope.organizationId, async (tx) => {
    const created = await insertEndpoint(tx, {
      organizationId: scope.organizationId,
      url: input.url,
      description: input.description,
      eventTypes: input.eventTypes,
      secretEncrypted,
      createdByUserId: scope.actor.userId,
    });
    await recordAudit(tx, {
      organizationId: scope.organizationId,
      actor: scope.actor,
      action: "webhook_endpoint.created",
      targetType: "webhook_endpoint",
      targetId: created.id,
      data: { url: created.url, eventTypes: created.eventTypes },
    });
    return created;
  });
  return { ...serializeEndpoint(row), secret };
}

/**
 * Changes an endpoint's URL, description, event types or enabled flag, audited. Enabling resets its
 * failure count and the reason it was disabled.
 * @throws AppError `not_found`; `invalid_input` when hosted mode refuses a new URL
 */
export async function updateEndpoint(
  db: Database,
  scope: Scope & { endpointId: string },
  input: UpdateEndpointData,
): Promise<WebhookEndpointJson> {
  if (input.url) await assertPublicUrl(input.url);
  const row = await withTenant(db, scope.organizationId, async (tx) => {
    const before = await getEndpointOrThrow(tx, scope);
    const updated = await updateEndpointRow(tx, scope, {
      ...(input.url !== undefined ? { url: input.url } : {}),
      ...(input.description !== undefined ? { description: input.description } : {}),
      ...(input.eventTypes !== undefined ? { eventTypes: input.eventTypes } : {}),
      ...(input.enabled !== undefined ? { enabled: input.enabled, disabledReason: null } : {}),
      ...(input.enabled === true ? { consecutiveFailures: 0 } : {}),
    });
    if (!updated) throw new AppError("not_found", "Webhook endpoint not found");
    await recordAudit(tx, {
      organizationId: scope.organizationId,
      actor: scope.actor,
      action: "webhook_endpoint.updated",
      targetType: "webhook_endpoint",
      targetId: updated.id,
      data: {
        before: { url: before.url, eventTypes: before.eventTypes, enabled: before.enabled },
        after: { url: updated.url, eventTypes: updated.eventTypes, enabled: updated.enabled },
      },
    });
    return updated;
  });
  return serializeEndpoint(row);
}

/**
 * Deletes an endpoint and its delivery log, audited.
 * @throws AppError `not_found`
 */
export async function deleteEndpoint(db: Database, scope: Scope & { endpointId: string }): Promise<void> {
  await withTenant(db, scope.organizationId, async (tx) => {
    const before = await getEndpointOrThrow(tx, scope);
    await deleteEndpointRow(tx, scope);
    await recordAudit(tx, {
      organizationId: scope.organizationId,
      actor: scope.actor,
      action: "webhook_endpoint.deleted",
      targetType: "webhook_endpoint",
      targetId: before.id,
      data: { url: before.url },
    });
  });
}

/**
 * Replaces an endpoint's signing secret; deliveries from now on are signed with the new one.
 * @returns the endpoint and its new `secret`, shown only in this answer
 * @throws AppError `not_found`
 */
export async function rotateEndpointSecret(db: Database, scope: Scope & { endpointId: string }): Promise<WebhookEndpointJson & { secret: string }> {
  const secret = generateSigningSecret();
  const secretEncrypted = await encryptSecret(secret);
  const row = await withTenant(db, scope.organizationId, async (tx) => {
    await getEndpointOrThrow(tx, scope);
    const updated = await updateEndpointRow(tx, scope, { secretEncrypted });
    if (!updated) throw new AppError("not_found", "Webhook endpoint not found");
    await recordAudit(tx, {
      organizationId: scope.organizationId,
      actor: scope.actor,
      action: "webhook_endpoint.secret_rotated",
      targetType: "webhook_endpoint",
      targetId: updated.id,
    });
    return updated;
  });
  return { ...serializeEndpoint(row), secret };
}

/**
 * An endpoint's delivery attempts, newest first.
 * @throws AppError `not_found` when the endpoint is not the organization's
 */
export async function listDeliveryJson(
  db: DbOrTx,
  q: { organizationId: string; endpointId: string; limit: number },
): Promise<WebhookDeliveryJson[]> {
  await getEndpointOrThrow(db, q);
  return (await listDeliveries(db, q)).map(serializeDelivery);
}

/**
 * Delivers the event of delivery attempt `deliveryId` to its endpoint again, as a new run with its
 * own retries (`manual: true` in the log), audited.
 * @returns the run key the new attempts carry
 * @throws AppError `not_found` (endpoint or delivery not the organization's); `conflict` when the
 *   endpoint is disabled (enable it first); `unavailable` when the workflow engine cannot be reached
 */
export async function resendDelivery(
  db: Database,
  scope: Scope & { endpointId: string; deliveryId: string },
): Promise<{ runKey: string; eventId: string }> {
  const runKey = `resend-${randomUUID()}`;
  const delivery = await withTenant(db, scope.organizationId, async (tx) => {
    const endpoint = await getEndpointOrThrow(tx, scope);
    if (!endpoint.enabled) throw new AppError("conflict", "This endpoint is disabled: enable it before resending.");
    const found = await findDelivery(tx, scope);
    if (!found) throw new AppError("not_found", "Delivery not found");
    await recordAudit(tx, {
      organizationId: scope.organizationId,
      actor: scope.actor,
      action: "webhook_endpoint.delivery_resent",
      targetType: "webhook_endpoint",
      targetId: endpoint.id,
      data: { deliveryId: found.id, eventId: found.eventId, runKey },
    });
    return found;
  });
  try {
    await inngest.send(
      outboundWebhookDeliveryRequested.create(
        { organizationId: scope.organizationId, endpointId: scope.endpointId, eventId: delivery.eventId, runKey, manual: true },
        { id: runKey },
      ),
    );
  } catch (error) {
    throw new AppError("unavailable", `The workflow engine could not be reached: ${error instanceof Error ? error.message : String(error)}`);
  }
  return { runKey, eventId: delivery.eventId };
}
