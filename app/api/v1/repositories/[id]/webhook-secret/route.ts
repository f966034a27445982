import { getDb } from "@/db/client";
import { parseIdParam, withContext } from "@/lib/api/handler";
import { rotateWebhookSecret } from "@/lib/repositories/manage-repository";

export const dynamic = "force-dynamic";

/**
 * `POST /api/v1/repositories/{id}/webhook-secret` → the repository with its new `webhookSecret`
 * (shown only now); the old secret stops working at once (audited).
 */
export const POST = withContext<{ id: string }>(
  async (_req, ctx, params) => {
    const repositoryId = parseIdParam(params.id, "Repository");
    const rotated = await rotateWebhookSecret(getDb(), { organizationId: ctx.organizationId, repositoryId, actor: { userId: ctx.userId, apiKeyId: ctx.apiKeyId } });
    return Response.json(rotated, { headers: { "Cache-Control": "no-store" } });
  },
  { requires: { repository: ["update"] } },
);
