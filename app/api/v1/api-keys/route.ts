import { getDb } from "@/db/client";
import { parseJsonBody, withContext } from "@/lib/api/handler";
import { createApiKey, listApiKeys } from "@/lib/api-keys/api-keys";
import { createApiKeyInputSchema } from "@/lib/api-keys/schemas";

export const dynamic = "force-dynamic";

/** `GET /api/v1/api-keys` → the organization's keys (name, first characters, permissions, last use; never the secret). */
export const GET = withContext(async (_req, ctx) => Response.json(await listApiKeys(getDb(), ctx)), { requires: { apiKey: ["read"] } });

/**
 * `POST /api/v1/api-keys` `{ name, permissions?, expiresInDays? }` → 201 with `id` and `key`, the
 * secret, shown this once. Use it as `Authorization: Bearer <key>`.
 */
export const POST = withContext(
  async (req, ctx) => {
    const input = await parseJsonBody(req, createApiKeyInputSchema);
    const created = await createApiKey(getDb(), ctx, input);
    return Response.json(created, { status: 201, headers: { "Cache-Control": "no-store" } });
  },
  { requires: { apiKey: ["create"] } },
);
