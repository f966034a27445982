import { getDb } from "@/db/client";
import { findRepository } from "@/db/queries/squads";
import { withTenant } from "@/db/tenant";
import { parseIdParam, withContext } from "@/lib/api/handler";
import { AppError } from "@/lib/errors";
import { getRepositoryIndexStatus, requestRepositoryIndex } from "@/lib/knowledge/repository-index";

export const dynamic = "force-dynamic";

/**
 * `GET /api/v1/repositories/{id}/index` → the repository's code index: `{ index: null }` before its
 * first run, else `{ index: { status, commit, filesTotal, filesIndexed, filesSkipped, chunks, embedder,
 * store, error, startedAt, finishedAt } }`.
 */
export const GET = withContext<{ id: string }>(
  async (_req, ctx, params) => {
    const repositoryId = parseIdParam(params.id, "Repository");
    const index = await withTenant(getDb(), ctx.organizationId, async (tx) => {
      if (!(await findRepository(tx, { organizationId: ctx.organizationId, repositoryId }))) throw new AppError("not_found", "Repository not found");
      return getRepositoryIndexStatus(tx, { organizationId: ctx.organizationId, repositoryId });
    });
    return Response.json({ index });
  },
  { requires: { repository: ["read"] } },
);

/** `POST /api/v1/repositories/{id}/index` → 202 `{ index }`: indexing is requested (incremental: unchanged files are skipped). */
export const POST = withContext<{ id: string }>(
  async (_req, ctx, params) => {
    const repositoryId = parseIdParam(params.id, "Repository");
    const index = await requestRepositoryIndex(getDb(), { organizationId: ctx.organizationId, repositoryId, reason: "requested" });
    return Response.json({ index }, { status: 202 });
  },
  { requires: { repository: ["update"] } },
);
