import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { getPageContext } from "@/app/_lib/page-context";
import { MembersManager } from "@/components/organizations/members-manager";
import { roleList } from "@/components/organizations/roles";
import { allows } from "@/lib/auth/permissions";

export const metadata: Metadata = { title: "Members" };

export default async function MembersPage() {
  const ctx = await getPageContext();
  if (!ctx) redirect("/sign-in?next=/settings/members");
  // The buttons follow the role; better-auth checks every call again on the server.
  const can = {
    invite: allows(ctx.permissions, { invitation: ["create"] }),
    updateRole: allows(ctx.permissions, { member: ["update"] }),
    remove: allows(ctx.permissions, { member: ["delete"] }),
    cancelInvitation: allows(ctx.permissions, { invitation: ["cancel"] }),
    manageOwners: roleList(ctx.role).includes("owner"),
  };
  return <MembersManager key={ctx.organizationId} organizationId={ctx.organizationId} currentUserId={ctx.userId} can={can} />;
}
