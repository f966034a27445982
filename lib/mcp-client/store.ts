import { and, asc, eq } from "drizzle-orm";
import { z } from "zod";
import type { DbOrTx } from "@/db/client";
import { squadMcpServers } from "@/db/schema";
import type { AgentRole } from "@/db/schema/agent-roles";
import { roleKind } from "@/lib/agents/roles";
import { decryptSecret } from "@/lib/crypto/secrets";
import type { McpConnection } from "./connect";
import type { McpServerJson } from "./schemas";

export type McpServerRow = typeof squadMcpServers.$inferSelect;
type Scope = { organizationId: string; squadId: string };

/** The squad's MCP servers, by name. */
export async function listMcpServerRows(db: DbOrTx, q: Scope): Promise<McpServerRow[]> {
  return db
    .select()
    .from(squadMcpServers)
    .where(and(eq(squadMcpServers.organizationId, q.organizationId), eq(squadMcpServers.squadId, q.squadId)))
    .orderBy(asc(squadMcpServers.name));
}

export async function findMcpServerRow(db: DbOrTx, q: Scope & { serverId: string }): Promise<McpServerRow | null> {
  const [row] = await db
    .select()
    .from(squadMcpServers)
    .where(and(eq(squadMcpServers.organizationId, q.organizationId), eq(squadMcpServers.squadId, q.squadId), eq(squadMcpServers.id, q.serverId)));
  return row ?? null;
}

export async function insertMcpServerRow(db: DbOrTx, values: typeof squadMcpServers.$inferInsert): Promise<McpServerRow> {
  const [row] = await db.insert(squadMcpServers).values(values).returning();
  return row;
}

export async function updateMcpServerRow(
  db: DbOrTx,
  q: Scope & { serverId: string },
  values: Partial<typeof squadMcpServers.$inferInsert>,
): Promise<McpServerRow | null> {
  const [row] = await db
    .update(squadMcpServers)
    .set(values)
    .where(and(eq(squadMcpServers.organizationId, q.organizationId), eq(squadMcpServers.squadId, q.squadId), eq(squadMcpServers.id, q.serverId)))
    .returning();
  return row ?? null;
}

export async function deleteMcpServerRow(db: DbOrTx, q: Scope & { serverId: string }): Promise<void> {
  await db
    .delete(squadMcpServers)
    .where(and(eq(squadMcpServers.organizationId, q.organizationId), eq(squadMcpServers.squadId, q.squadId), eq(squadMcpServers.id, q.serverId)));
}

/** Whether agents of `role` are offered the server's tools: its `allowedRoles`, or the builders when empty. */
export function serverAllowsRole(row: Pick<McpServerRow, "allowedRoles">, role: AgentRole): boolean {
  return row.allowedRoles.length > 0 ? row.allowedRoles.includes(role) : roleKind(role) === "builder";
}

/** The squad's enabled servers whose tools agents of `role` are offered. */
export async function mcpServersForRole(db: DbOrTx, q: Scope & { role: AgentRole }): Promise<McpServerRow[]> {
  return (await listMcpServerRows(db, q)).filter((r) => r.enabled && serverAllowsRole(r, q.role));
}

const storedHeadersSchema = z.record(z.string(), z.string());

/**
 * The stored headers, decrypted ({} when none).
 * @throws Error when the decrypted value is not a JSON object of strings (a corrupt or foreign row)
 */
export async function decryptHeaders(row: Pick<McpServerRow, "headersEncrypted">): Promise<Record<string, string>> {
  if (!row.headersEncrypted) return {};
  const text = await decryptSecret(row.headersEncrypted, "squad_mcp_servers.headers_encrypted");
  return storedHeadersSchema.parse(JSON.parse(text));
}

/** How to connect to a stored server (headers decrypted). */
export async function connectionOf(row: McpServerRow): Promise<McpConnection> {
  return row.transport === "http"
    ? { name: row.name, transport: "http", url: row.url ?? "", headers: await decryptHeaders(row) }
    : { name: row.name, transport: "stdio", command: row.command ?? "", args: row.args };
}

/** A server as the API returns it: header names only. */
export function serializeMcpServer(row: McpServerRow): McpServerJson {
  return {
    id: row.id,
    squadId: row.squadId,
    name: row.name,
    transport: row.transport,
    url: row.url,
    headerNames: row.headerNames,
    command: row.command,
    args: row.args,
    allowedRoles: row.allowedRoles,
    enabled: row.enabled,
    lastError: row.lastError,
    toolNames: row.toolNames,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}
