import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { assertPublicUrl } from "@/lib/outbound-webhooks/ssrf";

/** How to reach one MCP server, secrets decrypted (never stored or logged in this form). */
export type McpConnection =
  | { name: string; transport: "http"; url: string; headers: Record<string, string> }
  | { name: string; transport: "stdio"; command: string; args: string[] };

/** One tool as the server lists it. */
export type McpListedTool = { name: string; description: string; inputSchema: Record<string, unknown> };

/** Longest wait for connecting, listing tools or one tool call, in milliseconds. */
export const MCP_TIMEOUT_MS = 30_000;
/** Most tools taken from one server (the rest are left out, and the listing says so). */
export const MAX_TOOLS_PER_SERVER = 50;

/** Whether stdio servers may be used here: only self-hosted (`SQUADRON_HOSTED` off). */
export function stdioAllowed(): boolean {
  return !env.SQUADRON_HOSTED;
}

/** A short, secret-free sentence for an error (header values are never part of SDK errors). */
export function mcpErrorText(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.replace(/\s+/g, " ").trim().slice(0, 500) || "unknown error";
}

/**
 * Connects an MCP SDK `Client` to the server, runs `fn`, and closes the connection (also on error).
 * Streamable HTTP gets the headers through `requestInit` and refuses redirects; in hosted mode the
 * URL must resolve to public addresses (the webhooks' SSRF guard) and stdio is refused.
 * @throws AppError `invalid_input` (stdio in hosted mode, refused URL); whatever the SDK throws
 */
export async function withMcpClient<T>(conn: McpConnection, fn: (client: Client) => Promise<T>, timeoutMs = MCP_TIMEOUT_MS): Promise<T> {
  let transport: Transport;
  if (conn.transport === "http") {
    await assertPublicUrl(conn.url);
    transport = new StreamableHTTPClientTransport(new URL(conn.url), {
      requestInit: { headers: conn.headers, redirect: env.SQUADRON_HOSTED ? "error" : "follow" },
    });
  } else {
    if (!stdioAllowed()) throw new AppError("invalid_input", "stdio MCP servers are not available on this hosted service: use a Streamable HTTP URL.");
    transport = new StdioClientTransport({ command: conn.command, args: conn.args, stderr: "ignore" });
  }
  const client = new Client({ name: "squadron", version: "1.0.0" });
  try {
    await client.connect(transport, { timeout: timeoutMs });
    return await fn(client);
  } finally {
    await client.close().catch(() => undefined);
  }
}

/** Lists the server's tools (following pagination), at most {@link MAX_TOOLS_PER_SERVER}. */
export async function listMcpTools(client: Client, timeoutMs = MCP_TIMEOUT_MS): Promise<{ tools: McpListedTool[]; truncated: boolean }> {
  const tools: McpListedTool[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 10; page++) {
    const res = await client.listTools(cursor ? { cursor } : undefined, { timeout: timeoutMs });
    for (const t of res.tools) {
      tools.push({ name: t.name, description: t.description ?? t.title ?? "", inputSchema: (t.inputSchema ?? { type: "object" }) as Record<string, unknown> });
    }
    cursor = res.nextCursor;
    if (!cursor || tools.length >= MAX_TOOLS_PER_SERVER) break;
  }
  return { tools: tools.slice(0, MAX_TOOLS_PER_SERVER), truncated: tools.length > MAX_TOOLS_PER_SERVER || cursor !== undefined };
}

/** Connects, lists the tools and disconnects: the check made when a server is saved. */
export async function checkMcpServer(conn: McpConnection, timeoutMs = 10_000): Promise<{ ok: true; toolNames: string[] } | { ok: false; error: string }> {
  try {
    const { tools } = await withMcpClient(conn, (c) => listMcpTools(c, timeoutMs), timeoutMs);
    return { ok: true, toolNames: tools.map((t) => t.name) };
  } catch (error) {
    return { ok: false, error: mcpErrorText(error) };
  }
}
