import { getDb } from "@/db/client";
import { withTenant } from "@/db/tenant";
import { parseIdParam, parseJsonBody, withContext } from "@/lib/api/handler";
import { createMcpServer, listMcpServerJson } from "@/lib/mcp-client/manage";
import { createMcpServerInputSchema } from "@/lib/mcp-client/schemas";

export const dynamic = "force-dynamic";

/** `GET /api/v1/squads/{id}/mcp-servers` → `{ items }`: the squad's MCP servers (header names, never values). */
export const GET = withContext<{ id: string }>(
  async (_req, ctx, params) => {
    const squadId = parseIdParam(params.id, "Squad");
    const items = await withTenant(getDb(), ctx.organizationId, (tx) => listMcpServerJson(tx, { organizationId: ctx.organizationId, squadId }));
    return Response.json({ items });
  },
  { requires: { squad: ["read"] } },
);

/**
 * `POST /api/v1/squads/{id}/mcp-servers` `{ name, transport: "http", url, headers?, allowedRoles?, enabled?, check? }`
 * or `{ name, transport: "stdio", command, args?, … }` → 201 with the server; with `check` (default) its
 * `toolNames`, or `lastError` when it could not be reached (saved anyway). Audited.
 */
export const POST = withContext<{ id: string }>(
  async (req, ctx, params) => {
    const squadId = parseIdParam(params.id, "Squad");
    const input = await parseJsonBody(req, createMcpServerInputSchema);
    const created = await createMcpServer(getDb(), { organizationId: ctx.organizationId, squadId, actor: { userId: ctx.userId, apiKeyId: ctx.apiKeyId } }, input);
    return Response.json(created, { status: 201 });
  },
  { requires: { squad: ["update"] } },
);
