import { and, eq } from "drizzle-orm";
import type { Database, DbOrTx } from "@/db/client";
import { findSquad } from "@/db/queries/squads";
import { squadMcpServers } from "@/db/schema";
import { withTenant } from "@/db/tenant";
import { recordAudit, type AuditActor } from "@/lib/audit/record-audit";
import { encryptSecret } from "@/lib/crypto/secrets";
import { AppError, notFound } from "@/lib/errors";
import { assertPublicUrl } from "@/lib/outbound-webhooks/ssrf";
import { checkMcpServer, stdioAllowed, type McpConnection } from "./connect";
import type { CreateMcpServerData, McpServerJson, UpdateMcpServerData } from "./schemas";
import {
  connectionOf,
  decryptHeaders,
  deleteMcpServerRow,
  findMcpServerRow,
  insertMcpServerRow,
  listMcpServerRows,
  serializeMcpServer,
  updateMcpServerRow,
  type McpServerRow,
} from "./store";

type Scope = { organizationId: string; squadId: string; actor: AuditActor };

async function assertSquad(tx: DbOrTx, q: { organizationId: string; squadId: string }): Promise<void> {
  if (!(await findSquad(tx, q))) throw notFound("Squad");
}

async function getServerOrThrow(tx: DbOrTx, q: { organizationId: string; squadId: string; serverId: string }): Promise<McpServerRow> {
  await assertSquad(tx, q);
  const row = await findMcpServerRow(tx, q);
  if (!row) throw new AppError("not_found", "MCP server not found");
  return row;
}

async function assertNameFree(tx: DbOrTx, q: { organizationId: string; squadId: string }, name: string, exceptId?: string): Promise<void> {
  const [row] = await tx
    .select({ id: squadMcpServers.id })
    .from(squadMcpServers)
    .where(and(eq(squadMcpServers.organizationId, q.organizationId), eq(squadMcpServers.squadId, q.squadId), eq(squadMcpServers.name, name)));
  if (row && row.id !== exceptId) {
    throw new AppError("conflict", `The squad already has an MCP server named ${name}.`, { issues: [{ path: "name", message: "already used in this squad" }] });
  }
}

/** Refusals that do not depend on reaching the server: stdio in hosted mode, a URL the SSRF guard refuses. */
async function assertReachable(conn: { transport: "http" | "stdio"; url?: string | null }): Promise<void> {
  if (conn.transport === "stdio" && !stdioAllowed()) {
    throw new AppError("invalid_input", "stdio MCP servers are not available on this hosted service: use a Streamable HTTP URL.", {
      issues: [{ path: "transport", message: "stdio is self-hosted only" }],
    });
  }
  if (conn.transport === "http" && conn.url) await assertPublicUrl(conn.url);
}

async function encryptHeaders(headers: Record<string, string>): Promise<string | null> {
  return Object.keys(headers).length > 0 ? encryptSecret(JSON.stringify(headers)) : null;
}

/**
 * The squad's MCP servers (header names, no values).
 * @throws AppError `not_found` when the squad is not the organization's
 */
export async function listMcpServerJson(db: DbOrTx, q: { organizationId: string; squadId: string }): Promise<McpServerJson[]> {
  await assertSquad(db, q);
  return (await listMcpServerRows(db, q)).map(serializeMcpServer);
}

/** One server of the squad. @throws AppError `not_found` */
export async function getMcpServerJson(db: DbOrTx, q: { organizationId: string; squadId: string; serverId: string }): Promise<McpServerJson> {
  return serializeMcpServer(await getServerOrThrow(db, q));
}

/**
 * Saves a new MCP server for the squad (headers encrypted), audited as a `squad.updated`. With
 * `check` (default) it first connects and lists the tools: the names are stored and returned
 * (`toolNames`); a server that cannot be reached is saved anyway with `lastError` (it may come up
 * later; agents then run without its tools and the timeline says why).
 * @throws AppError `not_found` (squad), `conflict` (name used), `invalid_input` (stdio on a hosted
 *   service, a URL resolving to a private address there)
 */
export async function createMcpServer(db: Database, scope: Scope, input: CreateMcpServerData): Promise<McpServerJson> {
  await withTenant(db, scope.organizationId, async (tx) => {
    await assertSquad(tx, scope);
    await assertNameFree(tx, scope, input.name);
  });
  await assertReachable(input.transport === "http" ? { transport: "http", url: input.url } : { transport: "stdio" });
  const conn: McpConnection =
    input.transport === "http"
      ? { name: input.name, transport: "http", url: input.url, headers: input.headers }
      : { name: input.name, transport: "stdio", command: input.command, args: input.args };
  const check = input.check ? await checkMcpServer(conn) : null;
  const headersEncrypted = input.transport === "http" ? await encryptHeaders(input.headers) : null;
  const row = await withTenant(db, scope.organizationId, async (tx) => {
    await assertSquad(tx, scope);
    await assertNameFree(tx, scope, input.name);
    const created = await insertMcpServerRow(tx, {
      organizationId: scope.organizationId,
      squadId: scope.squadId,
      name: input.name,
      transport: input.transport,
      url: input.transport === "http" ? input.url : null,
      headersEncrypted,
      headerNames: input.transport === "http" ? Object.keys(input.headers) : [],
      command: input.transport === "stdio" ? input.command : null,
      args: input.transport === "stdio" ? input.args : [],
      allowedRoles: input.allowedRoles,
      enabled: input.enabled,
      lastError: check && !check.ok ? check.error : null,
      toolNames: check?.ok ? check.toolNames : [],
    });
    await recordAudit(tx, {
      organizationId: scope.organizationId,
      actor: scope.actor,
      action: "squad.updated",
      targetType: "squad",
      targetId: scope.squadId,
      data: { mcpServer: { op: "created", id: created.id, name: created.name, transport: created.transport, url: created.url, headerNames: created.headerNames, command: created.command, allowedRoles: created.allowedRoles } },
    });
    return created;
  });
  return serializeMcpServer(row);
}

/**
 * Changes a server (audited as a `squad.updated`); `headers` replaces all of them. Changing how it is
 * reached, or enabling it, checks it again (unless `check: false`).
 * @throws AppError `not_found`, `conflict` (name used), `invalid_input` (a field of the other transport; the hosted refusals)
 */
export async function updateMcpServer(db: Database, scope: Scope & { serverId: string }, input: UpdateMcpServerData): Promise<McpServerJson> {
  const before = await withTenant(db, scope.organizationId, (tx) => getServerOrThrow(tx, scope));
  const wrong = before.transport === "http" ? (["command", "args"] as const) : (["url", "headers"] as const);
  for (const field of wrong) {
    if (input[field] !== undefined) {
      throw new AppError("invalid_input", `${field} does not apply to a ${before.transport} MCP server.`, { issues: [{ path: field, message: `not for ${before.transport}` }] });
    }
  }
  if (input.url) await assertReachable({ transport: "http", url: input.url });
  const reconnects = input.url !== undefined || input.headers !== undefined || input.command !== undefined || input.args !== undefined || input.enabled === true;
  let check: Awaited<ReturnType<typeof checkMcpServer>> | null = null;
  if (reconnects && input.check !== false) {
    const current = await connectionOf(before);
    const conn: McpConnection =
      current.transport === "http"
        ? { ...current, url: input.url ?? current.url, headers: input.headers ?? (await decryptHeaders(before)) }
        : { ...current, command: input.command ?? current.command, args: input.args ?? current.args };
    if (conn.transport === "stdio") await assertReachable({ transport: "stdio" });
    check = await checkMcpServer(conn);
  }
  const headersEncrypted = input.headers !== undefined ? await encryptHeaders(input.headers) : undefined;
  const row = await withTenant(db, scope.organizationId, async (tx) => {
    await getServerOrThrow(tx, scope);
    if (input.name !== undefined) await assertNameFree(tx, scope, input.name, scope.serverId);
    const updated = await updateMcpServerRow(tx, scope, {
      ...(input.name !== undefined ? { name: input.name } : {}),
      ...(input.url !== undefined ? { url: input.url } : {}),
      ...(input.headers !== undefined ? { headersEncrypted, headerNames: Object.keys(input.headers) } : {}),
      ...(input.command !== undefined ? { command: input.command } : {}),
      ...(input.args !== undefined ? { args: input.args } : {}),
      ...(input.allowedRoles !== undefined ? { allowedRoles: input.allowedRoles } : {}),
      ...(input.enabled !== undefined ? { enabled: input.enabled } : {}),
      ...(check ? (check.ok ? { lastError: null, toolNames: check.toolNames } : { lastError: check.error }) : {}),
    });
    if (!updated) throw new AppError("not_found", "MCP server not found");
    await recordAudit(tx, {
      organizationId: scope.organizationId,
      actor: scope.actor,
      action: "squad.updated",
      targetType: "squad",
      targetId: scope.squadId,
      data: {
        mcpServer: {
          op: "updated",
          id: updated.id,
          before: { name: before.name, url: before.url, headerNames: before.headerNames, command: before.command, args: before.args, allowedRoles: before.allowedRoles, enabled: before.enabled },
          after: { name: updated.name, url: updated.url, headerNames: updated.headerNames, command: updated.command, args: updated.args, allowedRoles: updated.allowedRoles, enabled: updated.enabled },
        },
      },
    });
    return updated;
  });
  return serializeMcpServer(row);
}

/** Removes a server from the squad (audited as a `squad.updated`). @throws AppError `not_found` */
export async function deleteMcpServer(db: Database, scope: Scope & { serverId: string }): Promise<void> {
  await withTenant(db, scope.organizationId, async (tx) => {
    const before = await getServerOrThrow(tx, scope);
    await deleteMcpServerRow(tx, scope);
    await recordAudit(tx, {
      organizationId: scope.organizationId,
      actor: scope.actor,
      action: "squad.updated",
      targetType: "squad",
      targetId: scope.squadId,
      data: { mcpServer: { op: "deleted", id: before.id, name: before.name } },
    });
  });
}
