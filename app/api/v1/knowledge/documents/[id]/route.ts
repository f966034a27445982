import { getDb } from "@/db/client";
import { parseIdParam, withContext } from "@/lib/api/handler";
import { deleteDocument } from "@/lib/knowledge-documents/manage-documents";

export const dynamic = "force-dynamic";

/** `DELETE /api/v1/knowledge/documents/{id}` → 204; its chunks leave the knowledge index with it (audited). */
export const DELETE = withContext<{ id: string }>(
  async (_req, ctx, params) => {
    const documentId = parseIdParam(params.id, "Document");
    await deleteDocument(getDb(), { organizationId: ctx.organizationId, documentId, actor: { userId: ctx.userId, apiKeyId: ctx.apiKeyId } });
    return new Response(null, { status: 204 });
  },
  { requires: { repository: ["update"] } },
);
