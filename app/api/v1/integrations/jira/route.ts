import { getDb } from "@/db/client";
import { parseJsonBody, withContext } from "@/lib/api/handler";
import { getJiraConnectionJson, jiraConnectionInputSchema, removeJiraConnection, saveJiraConnection } from "@/lib/integrations/jira/connection";

export const dynamic = "force-dynamic";

/** `GET /api/v1/integrations/jira` → the organization's Jira connection (never its token or secret), or null when not connected. */
export const GET = withContext(async (_req, ctx) => Response.json(await getJiraConnectionJson(getDb(), ctx.organizationId)), {
  requires: { repository: ["read"] },
});

/**
 * `PUT /api/v1/integrations/jira` → 201 (connected; `webhookSecret` shown once) or 200 (updated;
 * `webhookSecret` only with `rotateWebhookSecret`). Owners and admins.
 */
export const PUT = withContext(
  async (req, ctx) => {
    const input = await parseJsonBody(req, jiraConnectionInputSchema);
    const saved = await saveJiraConnection(getDb(), { organizationId: ctx.organizationId, actor: { userId: ctx.userId, apiKeyId: ctx.apiKeyId } }, input);
    return Response.json(saved, { status: saved.created ? 201 : 200, headers: { "Cache-Control": "no-store" } });
  },
  { requires: { organization: ["update"] } },
);

/** `DELETE /api/v1/integrations/jira` → 204: disconnected (tasks stay; webhooks to the old URL are 404). */
export const DELETE = withContext(
  async (_req, ctx) => {
    await removeJiraConnection(getDb(), { organizationId: ctx.organizationId, actor: { userId: ctx.userId, apiKeyId: ctx.apiKeyId } });
    return new Response(null, { status: 204 });
  },
  { requires: { organization: ["update"] } },
);
