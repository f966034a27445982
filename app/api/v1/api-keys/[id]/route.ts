import { getDb } from "@/db/client";
import { withContext } from "@/lib/api/handler";
import { revokeApiKey } from "@/lib/api-keys/api-keys";
import { AppError } from "@/lib/errors";

export const dynamic = "force-dynamic";

/** `DELETE /api/v1/api-keys/{id}` → 204: the key is revoked and refused from now on. */
export const DELETE = withContext<{ id: string }>(
  async (_req, ctx, { id }) => {
    if (!/^[A-Za-z0-9_-]{1,100}$/.test(id)) throw new AppError("not_found", "API key not found");
    await revokeApiKey(getDb(), ctx, id);
    return new Response(null, { status: 204 });
  },
  { requires: { apiKey: ["delete"] } },
);
