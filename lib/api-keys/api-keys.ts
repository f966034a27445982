import { and, desc, eq, inArray } from "drizzle-orm";
import type { Database } from "@/db/client";
import { apikey, user } from "@/db/schema";
import { recordAudit } from "@/lib/audit/record-audit";
import { getAuth } from "@/lib/auth";
import { allows, type Permissions } from "@/lib/auth/permissions";
import type { RequestContext } from "@/lib/auth/session";
import { AppError, notFound } from "@/lib/errors";
import { apiKeyResources, storedKeyCreator, storedKeyPermissions, type CreateApiKeyInput } from "./schemas";

/** An API key as the API shows it: never the key itself (only its first characters, `start`). */
export type ApiKeyJson = {
  id: string;
  name: string | null;
  /** First characters of the key (`sq_AbC…`), to recognise it. */
  start: string | null;
  permissions: Permissions;
  createdBy: { id: string; name: string } | null;
  /** ISO-8601; null until first used. */
  lastUsedAt: string | null;
  expiresAt: string | null;
  createdAt: string;
};

/** The caller's permissions restricted to the resources a key can hold (the default of a new key). */
function keyablePermissions(ctx: RequestContext): Permissions {
  return Object.fromEntries(
    Object.entries(ctx.permissions).filter(([r]) => (apiKeyResources as readonly string[]).includes(r)),
  ) as Permissions;
}

/**
 * Creates an API key of the caller's organization (better-auth api-key plugin: random 64
 * characters after `sq_`, stored as a SHA-256 hash) and records `api_key.created` in the audit log.
 * A key can hold at most its creator's permissions, and stops working when its creator leaves the
 * organization.
 *
 * @returns the key's public fields plus `key`, the secret, shown this once
 * @throws AppError `forbidden` when asking for permissions the caller does not have
 */
export async function createApiKey(db: Database, ctx: RequestContext, input: CreateApiKeyInput): Promise<ApiKeyJson & { key: string }> {
  const permissions = input.permissions ?? keyablePermissions(ctx);
  if (!allows(ctx.permissions, permissions)) {
    throw new AppError("forbidden", "A key cannot hold permissions you do not have yourself.", { requested: permissions, yours: ctx.permissions });
  }
  const created = await getAuth().api.createApiKey({
    body: {
      name: input.name,
      organizationId: ctx.organizationId,
      userId: ctx.userId,
      permissions: permissions as Record<string, string[]>,
      metadata: { createdByUserId: ctx.userId },
      expiresIn: input.expiresInDays ? input.expiresInDays * 86_400 : null,
    },
  });
  try {
    await recordAudit(db, {
      organizationId: ctx.organizationId,
      actor: { userId: ctx.userId, apiKeyId: ctx.apiKeyId },
      action: "api_key.created",
      targetType: "api_key",
      targetId: created.id,
      data: { name: input.name, permissions, expiresAt: created.expiresAt ? new Date(created.expiresAt).toISOString() : null },
    });
  } catch (error) {
    // No key without its audit entry.
    await db.delete(apikey).where(eq(apikey.id, created.id));
    throw error;
  }
  return {
    id: created.id,
    name: created.name ?? null,
    start: created.start ?? null,
    permissions,
    createdBy: { id: ctx.userId, name: ctx.user.name },
    lastUsedAt: null,
    expiresAt: created.expiresAt ? new Date(created.expiresAt).toISOString() : null,
    createdAt: new Date(created.createdAt).toISOString(),
    key: created.key,
  };
}

/** The organization's API keys, newest first (never the secrets). */
export async function listApiKeys(db: Database, ctx: RequestContext): Promise<ApiKeyJson[]> {
  const rows = await db.select().from(apikey).where(eq(apikey.referenceId, ctx.organizationId)).orderBy(desc(apikey.createdAt));
  const creatorIds = [...new Set(rows.map((r) => storedKeyCreator(r.metadata)).filter((v): v is string => v !== null))];
  const creators = creatorIds.length ? await db.select({ id: user.id, name: user.name }).from(user).where(inArray(user.id, creatorIds)) : [];
  const names = new Map(creators.map((u) => [u.id, u.name]));
  return rows.map((r) => {
    const by = storedKeyCreator(r.metadata);
    return {
      id: r.id,
      name: r.name,
      start: r.start,
      permissions: storedKeyPermissions(r.permissions),
      createdBy: by ? { id: by, name: names.get(by) ?? "(former member)" } : null,
      lastUsedAt: r.lastRequest?.toISOString() ?? null,
      expiresAt: r.expiresAt?.toISOString() ?? null,
      createdAt: r.createdAt.toISOString(),
    };
  });
}

/**
 * Revokes (deletes) one of the organization's API keys and records `api_key.revoked`, in one
 * transaction. The key is refused from the next request on.
 * @throws AppError `not_found` when the organization has no such key
 */
export async function revokeApiKey(db: Database, ctx: RequestContext, keyId: string): Promise<void> {
  await db.transaction(async (tx) => {
    const [gone] = await tx
      .delete(apikey)
      .where(and(eq(apikey.id, keyId), eq(apikey.referenceId, ctx.organizationId)))
      .returning({ id: apikey.id, name: apikey.name });
    if (!gone) throw notFound("API key");
    await recordAudit(tx, {
      organizationId: ctx.organizationId,
      actor: { userId: ctx.userId, apiKeyId: ctx.apiKeyId },
      action: "api_key.revoked",
      targetType: "api_key",
      targetId: gone.id,
      data: { name: gone.name },
    });
  });
}
