import { getDb } from "@/db/client";
import { parseJsonBody, withContext } from "@/lib/api/handler";
import { createRepository, createRepositoryInputSchema } from "@/lib/repositories/create-repository";

export const dynamic = "force-dynamic";

/** `POST /api/v1/repositories` → 201 with `id`, `webhookUrl` and (only now) `webhookSecret`. */
export const POST = withContext(async (req, ctx) => {
  const input = await parseJsonBody(req, createRepositoryInputSchema);
  const repository = await createRepository(getDb(), ctx.organizationId, input);
  return Response.json(repository, { status: 201 });
});
