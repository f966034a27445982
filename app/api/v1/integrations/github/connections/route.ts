import { getDb } from "@/db/client";
import { parseJsonBody, withContext } from "@/lib/api/handler";
import { saveGithubConnection } from "@/lib/integrations/github/connections";
import { githubConnectionInputSchema } from "@/lib/integrations/github/schemas";

export const dynamic = "force-dynamic";

/**
 * `POST /api/v1/integrations/github/connections` `{ kind: "token", repositoryFullName, token }` or
 * `{ kind: "app", appId, privateKey, webhookSecret, installationId? }` → 201 (new) or 200 (replaced
 * the repository's token / the organization's app). Secrets are stored encrypted and never returned.
 */
export const POST = withContext(
  async (req, ctx) => {
    const input = await parseJsonBody(req, githubConnectionInputSchema);
    const saved = await saveGithubConnection(getDb(), { organizationId: ctx.organizationId, actor: { userId: ctx.userId, apiKeyId: ctx.apiKeyId } }, input);
    return Response.json(saved.connection, { status: saved.created ? 201 : 200, headers: { "Cache-Control": "no-store" } });
  },
  { requires: { repository: ["update"] } },
);
