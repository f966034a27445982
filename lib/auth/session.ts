import { and, asc, eq } from "drizzle-orm";
import { getDb } from "@/db/client";
import { member } from "@/db/schema";
import { AppError } from "@/lib/errors";
import { getAuth } from "./index";
import { ensureUserOrganization } from "./provision";

/** Who is calling and in which organization: the input of every tenant-scoped operation. */
export type RequestContext = {
  userId: string;
  organizationId: string;
  /** The caller's role in the organization (`owner`, `admin`, `member`, …). */
  role: string;
  user: { id: string; name: string; email: string };
};

/**
 * Resolves the signed-in user and their active organization from request headers (session cookie).
 * Falls back to the user's first organization when the session has none active (e.g. right after
 * sign-up) or names one they no longer belong to.
 * @returns the context, or null when the request carries no valid session
 */
export async function getRequestContext(headers: Headers): Promise<RequestContext | null> {
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
    if (m) return { userId: user.id, organizationId: active, role: m.role, user };
  }
  // No (valid) active organization: use the user's first membership; provision one only if there is none.
  const [first] = await db
    .select({ organizationId: member.organizationId, role: member.role })
    .from(member)
    .where(eq(member.userId, user.id))
    .orderBy(asc(member.createdAt))
    .limit(1);
  if (first) return { userId: user.id, organizationId: first.organizationId, role: first.role, user };
  const organizationId = await ensureUserOrganization(db, user);
  const [m] = await db
    .select({ role: member.role })
    .from(member)
    .where(and(eq(member.userId, user.id), eq(member.organizationId, organizationId)))
    .limit(1);
  return { userId: user.id, organizationId, role: m?.role ?? "member", user };
}

/** Like {@link getRequestContext} but throws `AppError("unauthorized")` when nobody is signed in. */
export async function requireRequestContext(headers: Headers): Promise<RequestContext> {
  const ctx = await getRequestContext(headers);
  if (!ctx) throw new AppError("unauthorized", "Sign in first (session cookie missing or expired).");
  return ctx;
}
