import { z } from "zod";

/** Squadron's organization roles, most powerful first (same names as `lib/auth/permissions.ts`). */
export const organizationRoles = ["owner", "admin", "member", "viewer"] as const;
export type OrganizationRole = (typeof organizationRoles)[number];

/** What each role may do, in a sentence (mirrors the grants in `lib/auth/permissions.ts`). */
export const roleDescriptions: Record<OrganizationRole, string> = {
  owner: "Everything, including deleting the organization.",
  admin: "Everything but deleting the organization: members, invitations, API keys, squad policy and routing, audit log.",
  member: "The work: creates, cancels and retries tasks, decides approvals, adds repositories.",
  viewer: "Reads everything, changes nothing.",
};

export const organizationRoleSchema = z.enum(organizationRoles);

/** The invite form (email + role); the server (better-auth `invite-member`) checks both again. */
export const inviteMemberSchema = z.object({
  email: z.email("Enter a valid email address."),
  role: organizationRoleSchema,
});
export type InviteMemberInput = z.infer<typeof inviteMemberSchema>;

/** A member's roles (better-auth stores several as `"admin,member"`). */
export function roleList(role: string): string[] {
  return role
    .split(",")
    .map((r) => r.trim())
    .filter(Boolean);
}
