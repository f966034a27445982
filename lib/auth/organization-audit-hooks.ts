import { tryGetCurrentAuthEndpointContext } from "@better-auth/core/context";
import type { OrganizationOptions } from "better-auth/plugins";
import type { DbOrTx } from "@/db/client";
import { recordAudit } from "@/lib/audit/record-audit";

/** Resolves the signed-in user of a request's headers (better-auth `getSession`), or null. */
export type SessionUserLookup = (headers: Headers) => Promise<{ id: string } | null>;

/**
 * Who is calling the better-auth endpoint that runs a hook. The member hooks receive the member
 * being changed, not the person changing it, so the actor comes from the endpoint's own context
 * (better-auth keeps it in AsyncLocalStorage for the duration of the call): its session when a
 * middleware already resolved it, else the request's cookie. Null for server-side calls without one.
 */
async function currentActorUserId(lookup: SessionUserLookup): Promise<string | null> {
  const endpoint = tryGetCurrentAuthEndpointContext();
  if (!endpoint) return null;
  const resolved = endpoint.context.session?.user.id;
  if (resolved) return resolved;
  if (!endpoint.headers) return null;
  return (await lookup(endpoint.headers))?.id ?? null;
}

/**
 * The organization plugin's hooks that append member and invitation changes to the audit log:
 * invitation created / cancelled / rejected, member added (invitation accepted or added directly),
 * role changed, member removed. They run after the change is stored, so a failing audit insert
 * surfaces as a 500 of that call while the change itself stays made.
 */
export function organizationAuditHooks(db: DbOrTx, lookup: SessionUserLookup): NonNullable<OrganizationOptions["organizationHooks"]> {
  return {
    afterCreateInvitation: async ({ invitation, inviter, organization }) => {
      await recordAudit(db, {
        organizationId: organization.id,
        actor: { userId: inviter.id },
        action: "member.invited",
        targetType: "invitation",
        targetId: invitation.id,
        data: { email: invitation.email, role: invitation.role },
      });
    },
    afterCancelInvitation: async ({ invitation, cancelledBy, organization }) => {
      await recordAudit(db, {
        organizationId: organization.id,
        actor: { userId: cancelledBy.id },
        action: "invitation.cancelled",
        targetType: "invitation",
        targetId: invitation.id,
        data: { email: invitation.email, role: invitation.role },
      });
    },
    afterRejectInvitation: async ({ invitation, user, organization }) => {
      await recordAudit(db, {
        organizationId: organization.id,
        actor: { userId: user.id },
        action: "invitation.rejected",
        targetType: "invitation",
        targetId: invitation.id,
        data: { email: invitation.email, role: invitation.role },
      });
    },
    afterAcceptInvitation: async ({ invitation, member, user, organization }) => {
      await recordAudit(db, {
        organizationId: organization.id,
        actor: { userId: user.id },
        action: "member.added",
        targetType: "member",
        targetId: member.id,
        data: { userId: user.id, email: user.email, role: member.role, invitationId: invitation.id, invitedBy: invitation.inviterId },
      });
    },
    afterAddMember: async ({ member, user, organization }) => {
      await recordAudit(db, {
        organizationId: organization.id,
        actor: { userId: await currentActorUserId(lookup) },
        action: "member.added",
        targetType: "member",
        targetId: member.id,
        data: { userId: user.id, email: user.email, role: member.role },
      });
    },
    afterUpdateMemberRole: async ({ member, previousRole, user, organization }) => {
      await recordAudit(db, {
        organizationId: organization.id,
        actor: { userId: await currentActorUserId(lookup) },
        action: "member.role_changed",
        targetType: "member",
        targetId: member.id,
        data: { userId: user.id, email: user.email, from: previousRole, to: member.role },
      });
    },
    afterRemoveMember: async ({ member, user, organization }) => {
      await recordAudit(db, {
        organizationId: organization.id,
        actor: { userId: await currentActorUserId(lookup) },
        action: "member.removed",
        targetType: "member",
        targetId: member.id,
        data: { userId: user.id, email: user.email, role: member.role },
      });
    },
  };
}
