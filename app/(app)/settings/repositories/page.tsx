import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { getPageContext } from "@/app/_lib/page-context";
import { RepositoriesManager } from "@/components/repositories/repositories-manager";
import { getDb } from "@/db/client";
import { withTenant } from "@/db/tenant";
import { allows } from "@/lib/auth/permissions";
import { getRepositoryIndexStatus } from "@/lib/knowledge/repository-index";
import { listRepositoryJson } from "@/lib/repositories/create-repository";
import { localRepositoryRoots } from "@/lib/repositories/local-roots";

export const metadata: Metadata = { title: "Repositories" };

export default async function RepositoriesPage() {
  const ctx = await getPageContext();
  if (!ctx) redirect("/sign-in?next=/settings/repositories");
  // Same JSON as `GET /api/v1/repositories`, read under row-level security.
  // Each with its code index (GET /api/v1/repositories/{id}/index).
  const repositories = await withTenant(getDb(), ctx.organizationId, async (tx) => {
    const list = await listRepositoryJson(tx, { organizationId: ctx.organizationId });
    return Promise.all(list.map(async (r) => ({ ...r, index: await getRepositoryIndexStatus(tx, { organizationId: ctx.organizationId, repositoryId: r.id }) })));
  });
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
