import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { getPageContext } from "@/app/_lib/page-context";
import { DocumentsPanel } from "@/components/knowledge/documents-panel";
import { LessonsPanel } from "@/components/knowledge/lessons-panel";
import { SearchPanel } from "@/components/knowledge/search-panel";
import { getDb } from "@/db/client";
import { listRepositories } from "@/db/queries/squads";
import { withTenant } from "@/db/tenant";
import { allows } from "@/lib/auth/permissions";
import { vectorStoreFor } from "@/lib/knowledge";
import { listDocumentJson } from "@/lib/knowledge-documents/manage-documents";
import { listLessonJson } from "@/lib/lessons/manage-lessons";

export const metadata: Metadata = { title: "Knowledge" };

export default async function KnowledgePage() {
  const ctx = await getPageContext();
  if (!ctx) redirect("/sign-in?next=/settings/knowledge");
  const { organizationId } = ctx;
  // The same JSON as `GET /api/v1/knowledge/documents` and `GET /api/v1/lessons` (and the search's `store`), read under row-level security.
  const { documents, lessons, repositoryNames, store } = await withTenant(getDb(), organizationId, async (tx) => ({
    documents: await listDocumentJson(tx, { organizationId }),
    lessons: await listLessonJson(tx, { organizationId }),
    repositoryNames: Object.fromEntries((await listRepositories(tx, { organizationId })).map((r) => [r.id, r.name])),
    store: await vectorStoreFor(tx),
  }));
  const canManage = allows(ctx.permissions, { repository: ["update"] });
  return (
    <div className="space-y-6" key={organizationId}>
      <SearchPanel store={{ kind: store.kind, reason: store.reason }} repositoryNames={repositoryNames} />
      <DocumentsPanel documents={documents} canManage={canManage} />
      <LessonsPanel lessons={lessons} repositoryNames={repositoryNames} canManage={canManage} />
    </div>
  );
}
