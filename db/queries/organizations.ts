import { asc, eq } from "drizzle-orm";
import type { DbOrTx } from "../client";
import { member, organization } from "../schema";

/** An organization a user belongs to, with their role in it. */
export type UserOrganizationRow = { id: string; name: string; role: string };

/** The organizations `userId` is a member of, oldest membership first. */
export async function listUserOrganizations(db: DbOrTx, q: { userId: string }): Promise<UserOrganizationRow[]> {
  return db
    .select({ id: organization.id, name: organization.name, role: member.role })
    .from(member)
    .innerJoin(organization, eq(organization.id, member.organizationId))
    .where(eq(member.userId, q.userId))
    .orderBy(asc(member.createdAt), asc(organization.id));
}
