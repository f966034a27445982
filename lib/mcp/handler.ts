import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import type { RequestContext } from "@/lib/auth/session";
import { AppError } from "@/lib/errors";
import { componentLogger } from "@/lib/observability/logger";
import { createSquadronMcpServer } from "./server";

const log = componentLogger("mcp");

/** Largest MCP request body, in bytes (the REST API's JSON limit). */
export const MAX_MCP_BODY_BYTES = 1_000_000;

/**
 * Serves one MCP Streamable HTTP request (JSON-RPC over `POST`) for an authenticated caller, stateless:
 * a new server and transport per request, no session id, JSON answers rather than an SSE stream.
 * Only API keys are accepted: an MCP client is not a browser, and a cookie-authenticated caller has
 * no business here.
 * @throws AppError `unauthorized` when the request authenticated with a session cookie
 */
export async function handleMcpRequest(req: Request, ctx: RequestContext): Promise<Response> {
  if (!ctx.apiKeyId) {
    throw new AppError("unauthorized", "The MCP endpoint takes an API key: send `Authorization: Bearer <key>` (create one on Settings → API keys).");
  }
  const server = createSquadronMcpServer(ctx);
  const transport = new WebStandardStreamableHTTPServerTransport({
    sessionIdGenerator: undefined,
    enableJsonResponse: true,
    maxRequestBodySize: MAX_MCP_BODY_BYTES,
  });
  transport.onerror = (error) => log.debug({ err: error }, "mcp transport refused a message");
  await server.connect(transport);
  try {
    return await transport.handleRequest(req);
  } finally {
    // The JSON answer is complete once handleRequest resolves; nothing else uses this server.
    await server.close();
  }
}

/**
 * What `GET` and `DELETE` answer: this server is stateless, so there is no standalone SSE stream to
 * open and no session to end (a JSON-RPC error with 405, as the MCP SDK's stateless examples do).
 */
export function mcpMethodNotAllowed(): Response {
  return Response.json(
    { jsonrpc: "2.0", error: { code: -32000, message: "Method not allowed: this MCP server is stateless; send JSON-RPC with POST." }, id: null },
    { status: 405, headers: { Allow: "POST" } },
  );
}
