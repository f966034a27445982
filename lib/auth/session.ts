import { and, asc, eq } from "drizzle-orm";
import { getDb } from "@/db/client";
import { member, user as userTable } from "@/db/schema";
import { AppError } from "@/lib/errors";
import { storedKeyCreator, storedKeyPermissions } from "@/lib/api-keys/schemas";
import { getAuth } from "./index";
import { allows, intersectPermissions, permissionsOfRoles, type Permissions } from "./permissions";
import { ensureUserOrganization } from "./provision";

/** Who is calling and in which organization: the input of every tenant-scoped operation. */
export type RequestContext = {
  userId: string;
  organizationId: string;
  /** The caller's role in the organization (`owner`, `admin`, `member`, `viewer`). */
  role: string;
  user: { id: string; name: string; email: string };
  /**
   * What the caller may do: the role's permissions, or for an API key the key's permissions
   * capped by what its creator's current role allows.
   */
  permissions: Permissions;
  /** The API key the request authenticated with (null for a session cookie). */
  apiKeyId: string | null;
};

/** The bearer token of an `Authorization: Bearer <token>` header, or null. */
export function bearerToken(headers: Headers): string | null {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(headers.get("authorization") ?? "");
  return match ? match[1] : null;
}

/**
 * Resolves an API key: verifies it (better-auth's api-key plugin: hash lookup, enabled, not
 * expired; records its last use), then checks its creator is still a member of the key's
 * organization — a key never outlives its owner's membership — and caps its permissions by the
 * creator's current role.
 * @throws AppError `unauthorized` when the key is unknown, revoked, expired or orphaned
 */
async function apiKeyContext(token: string): Promise<RequestContext> {
  const refused = new AppError("unauthorized", "The API key is invalid, revoked or expired.");
  const result = await getAuth().api.verifyApiKey({ body: { key: token } });
  if (!result.valid || !result.key) throw refused;
  const key = result.key;
  const createdByUserId = storedKeyCreator(key.metadata);
  if (!createdByUserId) throw refused;
  const db = getDb();
  const [row] = await db
    .select({ role: member.role, id: userTable.id, name: userTable.name, email: userTable.email })
    .from(member)
    .innerJoin(userTable, eq(userTable.id, member.userId))
    .where(and(eq(member.userId, createdByUserId), eq(member.organizationId, key.referenceId)))
    .limit(1);
  if (!row) throw refused;
  return {
    userId: row.id,
    organizationId: key.referenceId,
    role: row.role,
    user: { id: row.id, name: row.name, email: row.email },
    permissions: intersectPermissions(storedKeyPermissions(key.permissions), permissionsOfRoles(row.role)),
    apiKeyId: key.id,
  };
}

/**
 * Resolves the caller and their organization from request headers: an `Authorization: Bearer`
 * API key, else the session cookie's user and active organization.
 * Falls back to the user's first organization when the session has none active (e.g. right after
 * sign-up) or names one they no longer belong to.
 * @returns the context, or null when the request carries no valid session
 * @throws AppError `unauthorized` when a bearer key is present but not valid
 */
export async function getRequestContext(headers: Headers): Promise<RequestContext | null> {
  const token = bearerToken(headers);
  if (token) return apiKeyContext(token);
  const result = await getAuth().api.getSession({ headers });
  if (!result) return null;
  const { user, session } = result;
  const db = getDb();
  const active = session.activeOrganizationId;
  if (active) {
    const [m] = await db
      .select({ role: member.role })
      .from(member)
      .where(and(eq(member.userId, user.id), eq(member.organizationId, active)))
      .limit(1);
    if (m) return sessionContext(user, active, m.role);
  }
  // No (valid) active organization: use the user's first membership; provision one only if there is none.
  const [first] = await db
    .select({ organizationId: member.organizationId, role: member.role })
    .from(member)
    .where(eq(member.userId, user.id))
    .orderBy(asc(member.createdAt))
    .limit(1);
  if (first) return sessionContext(user, first.organizationId, first.role);
  const organizationId = await ensureUserOrganization(db, user);
  const [m] = await db
    .select({ role: member.role })
    .from(member)
    .where(and(eq(member.userId, user.id), eq(member.organizationId, organizationId)))
    .limit(1);
  return sessionContext(user, organizationId, m?.role ?? "member");
}

function sessionContext(user: { id: string; name: string; email: string }, organizationId: string, role: string): RequestContext {
  return {
    userId: user.id,
    organizationId,
    role,
    user: { id: user.id, name: user.name, email: user.email },
    permissions: permissionsOfRoles(role),
    apiKeyId: null,
  };
}

/** Like {@link getRequestContext} but throws `AppError("unauthorized")` when nobody is signed in. */
export async function requireRequestContext(headers: Headers): Promise<RequestContext> {
  const ctx = await getRequestContext(headers);
  if (!ctx) throw new AppError("unauthorized", "Sign in first (session cookie missing or expired), or send an API key as `Authorization: Bearer <key>`.");
  return ctx;
}

/**
 * Ensures the caller may do `required` in their organization.
 * @throws AppError `forbidden` naming the missing permission and the caller's role
 */
export function requirePermission(ctx: RequestContext, required: Permissions): void {
  if (allows(ctx.permissions, required)) return;
  const what = Object.entries(required)
    .map(([resource, actions]) => `${resource}:${(actions as readonly string[]).join("/")}`)
    .join(", ");
  const who = ctx.apiKeyId ? `this API key (its creator is ${ctx.role})` : `your role (${ctx.role})`;
  throw new AppError("forbidden", `Not allowed: ${what} is not permitted for ${who}.`);
}
