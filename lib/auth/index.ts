import { betterAuth } from "better-auth";
import { drizzleAdapter } from "better-auth/adapters/drizzle";
import { nextCookies } from "better-auth/next-js";
import { organization } from "better-auth/plugins";
import { apiKey } from "@better-auth/api-key";
import { getDb } from "@/db/client";
import * as schema from "@/db/schema";
import { member } from "@/db/schema";
import { asc, eq } from "drizzle-orm";
import { env, requireEnv } from "@/lib/env";
import { sendInvitationEmail } from "./invitation-email";
import { organizationAuditHooks } from "./organization-audit-hooks";
import { ac, roles } from "./permissions";
import { ensureUserOrganization } from "./provision";
import { seatLimit } from "@/lib/billing/resource-quota";

/** Prefix of every Squadron API key (`sq_…`), so a leaked key is recognisable by secret scanners. */
export const API_KEY_PREFIX = "sq_";

/** APP_URL plus its loopback twin (`localhost` ⇄ `127.0.0.1`), so either address works locally. */
export function trustedOrigins(): string[] {
  const url = new URL(env.APP_URL);
  const origins = [url.origin];
  const twin = url.hostname === "localhost" ? "127.0.0.1" : url.hostname === "127.0.0.1" ? "localhost" : null;
  if (twin) origins.push(`${url.protocol}//${twin}${url.port ? `:${url.port}` : ""}`);
  return origins;
}

function createAuth() {
  const db = getDb();
  return betterAuth({
    appName: "Squadron",
    baseURL: env.APP_URL,
    secret: requireEnv("BETTER_AUTH_SECRET"),
    database: drizzleAdapter(db, { provider: "pg", schema }),
    emailAndPassword: { enabled: true, minPasswordLength: 8, autoSignIn: true },
    trustedOrigins: trustedOrigins(),
    logger: { log: logAuth },
    plugins: [
      organization({
        ac,
        roles,
        // Invitations go out through the mailer (outbox by default) with a link to /invitations/<id>.
        sendInvitationEmail: sendInvitationEmail(env.APP_URL),
        // Member and invitation changes land in the audit log; the actor of a member change is
        // resolved from the calling request's session.
        organizationHooks: organizationAuditHooks(db, sessionUser),
        // Billing: the plan's seats (lib/billing/resource-quota.ts), checked on invite and accept.
        membershipLimit: (_user, org) => seatLimit(db, org.id),
      }),
      // Organization-owned keys, hashed at rest, last use recorded in `lastRequest`. Squadron's own
      // Postgres-backed limiter (lib/api/rate-limit) limits requests, so the plugin's per-key limit is off.
      apiKey({
        references: "organization",
        defaultPrefix: API_KEY_PREFIX,
        enableMetadata: true,
        requireName: true,
        maximumNameLength: 100,
        rateLimit: { enabled: false },
      }),
      nextCookies(),
    ],
    databaseHooks: {
      user: {
        create: {
          // Every new user starts with an organization and a default squad on the bundled example.
          after: async (user) => {
            await ensureUserOrganization(db, user);
          },
        },
      },
      session: {
        create: {
          // Start every session in the user's first organization, so requests need no fallback lookup.
          before: async (session) => {
            const [first] = await db
              .select({ organizationId: member.organizationId })
              .from(member)
              .where(eq(member.userId, session.userId))
              .orderBy(asc(member.createdAt))
              .limit(1);
            return { data: { ...session, activeOrganizationId: first?.organizationId ?? null } };
          },
        },
      },
    },
  });
}

/**
 * better-auth's log lines, except that an unknown, revoked or expired API key — an ordinary 401 the
 * API answers, often from scanners — is not logged as an error.
 */
function logAuth(level: "debug" | "info" | "warn" | "error", message: string, ...args: unknown[]): void {
  if (message.startsWith("Failed to validate API key")) return;
  const line = `[better-auth] ${message}`;
  if (level === "error") console.error(line, ...args);
  else if (level === "warn") console.warn(line, ...args);
  else if (level === "info") console.info(line, ...args);
}

/** The signed-in user of a request's headers (for the audit hooks), or null. */
async function sessionUser(headers: Headers): Promise<{ id: string } | null> {
  const result = await getAuth().api.getSession({ headers });
  return result ? { id: result.user.id } : null;
}

export type Auth = ReturnType<typeof createAuth>;
const globalForAuth = globalThis as unknown as { __squadronAuth?: Auth };

/**
 * The better-auth server instance (email + password, organization plugin), created on first use so
 * that `next build` does not need a database or secret.
 * @throws Error when `DATABASE_URL` or `BETTER_AUTH_SECRET` is unset.
 */
export function getAuth(): Auth {
  globalForAuth.__squadronAuth ??= createAuth();
  return globalForAuth.__squadronAuth;
}
