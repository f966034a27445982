import { getDb } from "@/db/client";
import { parseIdParam, parseJsonBody, withContext } from "@/lib/api/handler";
import { deleteRepository, updateRepository, updateRepositoryInputSchema } from "@/lib/repositories/manage-repository";

export const dynamic = "force-dynamic";

/** `PATCH /api/v1/repositories/{id}` `{ name?, defaultBranch?, testCommand? }` → the updated repository (audited). */
export const PATCH = withContext<{ id: string }>(
  async (req, ctx, params) => {
    const repositoryId = parseIdParam(params.id, "Repository");
    const input = await parseJsonBody(req, updateRepositoryInputSchema);
    const actor = { userId: ctx.userId, apiKeyId: ctx.apiKeyId };
    return Response.json(await updateRepository(getDb(), { organizationId: ctx.organizationId, repositoryId, actor }, input));
  },
  { requires: { repository: ["update"] } },
);

/** `DELETE /api/v1/repositories/{id}` → 204; bound squads are unbound, tasks keep their history (audited). */
export const DELETE = withContext<{ id: string }>(
  async (_req, ctx, params) => {
    const repositoryId = parseIdParam(params.id, "Repository");
    await deleteRepository(getDb(), { organizationId: ctx.organizationId, repositoryId, actor: { userId: ctx.userId, apiKeyId: ctx.apiKeyId } });
    return new Response(null, { status: 204 });
  },
  { requires: { repository: ["delete"] } },
);
