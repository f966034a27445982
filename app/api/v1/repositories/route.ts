import { getDb } from "@/db/client";
import { withTenant } from "@/db/tenant";
import { parseJsonBody, withContext } from "@/lib/api/handler";
import { createRepository, createRepositoryInputSchema, listRepositoryJson } from "@/lib/repositories/create-repository";

export const dynamic = "force-dynamic";

/** `GET /api/v1/repositories` → the organization's repositories, oldest first, with their webhook URL (never the secret). */
export const GET = withContext(
  async (_req, ctx) =>
    Response.json(await withTenant(getDb(), ctx.organizationId, (tx) => listRepositoryJson(tx, { organizationId: ctx.organizationId }))),
  { requires: { repository: ["read"] } },
);

/** `POST /api/v1/repositories` → 201 with `id`, `webhookUrl` and (only now) `webhookSecret`. */
export const POST = withContext(
  async (req, ctx) => {
    const input = await parseJsonBody(req, createRepositoryInputSchema);
    const repository = await createRepository(getDb(), ctx.organizationId, input, { userId: ctx.userId, apiKeyId: ctx.apiKeyId });
    return Response.json(repository, { status: 201, headers: { "Cache-Control": "no-store" } });
  },
  { requires: { repository: ["create"] } },
);
