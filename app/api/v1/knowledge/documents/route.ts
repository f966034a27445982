import { getDb } from "@/db/client";
import { withTenant } from "@/db/tenant";
import { withContext } from "@/lib/api/handler";
import { createDocument, listDocumentJson } from "@/lib/knowledge-documents/manage-documents";
import { readDocumentUpload } from "@/lib/knowledge-documents/read-upload";

export const dynamic = "force-dynamic";

/** `GET /api/v1/knowledge/documents` → `{ items }`: the organization's documents, newest first (no content). */
export const GET = withContext(
  async (_req, ctx) => {
    const items = await withTenant(getDb(), ctx.organizationId, (tx) => listDocumentJson(tx, { organizationId: ctx.organizationId }));
    return Response.json({ items });
  },
  { requires: { repository: ["read"] } },
);

/** `POST /api/v1/knowledge/documents` (JSON `{ title, content }` or a multipart `file`) → 201 with the document, indexed (audited). */
export const POST = withContext(
  async (req, ctx) => {
    const { input, filename } = await readDocumentUpload(req);
    const actor = { userId: ctx.userId, apiKeyId: ctx.apiKeyId };
    return Response.json(await createDocument(getDb(), { organizationId: ctx.organizationId, actor, filename }, input), { status: 201 });
  },
  { requires: { repository: ["update"] } },
);
