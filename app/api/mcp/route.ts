import { withContext } from "@/lib/api/handler";
import { handleMcpRequest, mcpMethodNotAllowed } from "@/lib/mcp/handler";

export const dynamic = "force-dynamic";

/**
 * `POST /api/mcp`: Squadron as an MCP server (Streamable HTTP, stateless, JSON answers). Authenticated
 * with an API key (`Authorization: Bearer sq_…`) exactly like the REST API — same key verification,
 * rate limit and request logging (`withContext`); no or an invalid key is a 401 in the REST error
 * shape. Each tool checks the permission its REST operation needs; see lib/mcp/server.ts.
 */
export const POST = withContext((req, ctx) => handleMcpRequest(req, ctx));

/** `GET /api/mcp` → 405: no standalone SSE stream (stateless server). */
export function GET(): Response {
  return mcpMethodNotAllowed();
}

/** `DELETE /api/mcp` → 405: no session to end (stateless server). */
export function DELETE(): Response {
  return mcpMethodNotAllowed();
}
