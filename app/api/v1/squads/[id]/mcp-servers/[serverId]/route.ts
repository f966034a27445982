import { getDb } from "@/db/client";
import { withTenant } from "@/db/tenant";
import { parseIdParam, parseJsonBody, withContext } from "@/lib/api/handler";
import { deleteMcpServer, getMcpServerJson, updateMcpServer } from "@/lib/mcp-client/manage";
import { updateMcpServerInputSchema } from "@/lib/mcp-client/schemas";

export const dynamic = "force-dynamic";

type Params = { id: string; serverId: string };

/** `GET /api/v1/squads/{id}/mcp-servers/{serverId}` → the server (404 for another organization's). */
export const GET = withContext<Params>(
  async (_req, ctx, params) => {
    const squadId = parseIdParam(params.id, "Squad");
    const serverId = parseIdParam(params.serverId, "MCP server");
    return Response.json(await withTenant(getDb(), ctx.organizationId, (tx) => getMcpServerJson(tx, { organizationId: ctx.organizationId, squadId, serverId })));
  },
  { requires: { squad: ["read"] } },
);

/** `PATCH /api/v1/squads/{id}/mcp-servers/{serverId}` `{ name?, url?, headers?, command?, args?, allowedRoles?, enabled?, check? }` → the server (audited). */
export const PATCH = withContext<Params>(
  async (req, ctx, params) => {
    const squadId = parseIdParam(params.id, "Squad");
    const serverId = parseIdParam(params.serverId, "MCP server");
    const input = await parseJsonBody(req, updateMcpServerInputSchema);
    return Response.json(await updateMcpServer(getDb(), { organizationId: ctx.organizationId, squadId, serverId, actor: { userId: ctx.userId, apiKeyId: ctx.apiKeyId } }, input));
  },
  { requires: { squad: ["update"] } },
);

/** `DELETE /api/v1/squads/{id}/mcp-servers/{serverId}` → 204 (audited). */
export const DELETE = withContext<Params>(
  async (_req, ctx, params) => {
    const squadId = parseIdParam(params.id, "Squad");
    const serverId = parseIdParam(params.serverId, "MCP server");
    await deleteMcpServer(getDb(), { organizationId: ctx.organizationId, squadId, serverId, actor: { userId: ctx.userId, apiKeyId: ctx.apiKeyId } });
    return new Response(null, { status: 204 });
  },
  { requires: { squad: ["update"] } },
);
