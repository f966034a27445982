import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { getPageContext } from "@/app/_lib/page-context";
import { RepositoriesManager } from "@/components/repositories/repositories-manager";
import { getDb } from "@/db/client";
import { withTenant } from "@/db/tenant";
import { allows } from "@/lib/auth/permissions";
import { listRepositoryJson } from "@/lib/repositories/create-repository";
import { localRepositoryRoots } from "@/lib/repositories/local-roots";

export const metadata: Metadata = { title: "Repositories" };

export default async function RepositoriesPage() {
  const ctx = await getPageContext();
  if (!ctx) redirect("/sign-in?next=/settings/repositories");
  // Same JSON as `GET /api/v1/repositories`, read under row-level security.
  const repositories = await withTenant(getDb(), ctx.organizationId, (tx) => listRepositoryJson(tx, { organizationId: ctx.organizationId }));
  return (
    <RepositoriesManager
      key={ctx.organizationId}
      repositories={repositories}
      roots={localRepositoryRoots()}
      canCreate={allows(ctx.permissions, { repository: ["create"] })}
      canManage={allows(ctx.permissions, { repository: ["update", "delete"] })}
    />
  );
}
