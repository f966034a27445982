import type { DbOrTx } from "@/db/client";
import { auditEvents } from "@/db/schema";

/** Who did a privileged action: a person (optionally through an API key) or the system. */
export type AuditActor = { userId: string | null; apiKeyId?: string | null };

/** Dotted verbs of the audit log (`<target>.<what happened>`). */
export type AuditAction =
  | "approval.decided"
  | "api_key.created"
  | "api_key.revoked"
  | "member.invited"
  | "member.added"
  | "member.role_changed"
  | "member.removed"
  | "invitation.cancelled"
  | "invitation.rejected"
  | "squad.created"
  | "squad.updated"
  | "repository.created"
  | "repository.updated"
  | "repository.webhook_secret_rotated"
  | "repository.deleted"
  | "github_connection.saved"
  | "github_connection.deleted"
  | "organization.updated"
  | "billing.checkout_started"
  | "billing.plan_changed"
  | "lesson.updated"
  | "lesson.deleted"
  | "knowledge_document.created"
  | "knowledge_document.deleted"
  | "webhook_endpoint.created"
  | "webhook_endpoint.updated"
  | "webhook_endpoint.deleted"
  | "webhook_endpoint.secret_rotated"
  | "webhook_endpoint.delivery_resent"
  | "webhook_endpoint.disabled";

/**
 * Appends one row to the organization's audit log. Call it inside the transaction of the change it
 * records, so the log and the change commit together. `data` holds facts (before/after, role,
 * decision), never a secret.
 */
export async function recordAudit(
  db: DbOrTx,
  entry: {
    organizationId: string;
    actor: AuditActor;
    action: AuditAction;
    targetType: string;
    targetId?: string | null;
    data?: Record<string, unknown>;
  },
): Promise<void> {
  await db.insert(auditEvents).values({
    organizationId: entry.organizationId,
    actorUserId: entry.actor.userId,
    actorApiKeyId: entry.actor.apiKeyId ?? null,
    action: entry.action,
    targetType: entry.targetType,
    targetId: entry.targetId ?? null,
    data: entry.data ?? {},
  });
}
