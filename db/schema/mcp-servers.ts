import { boolean, index, jsonb, pgTable, text, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import type { AgentRole } from "./agent-roles";
import { createdAt, organizationId, updatedAt } from "./_columns";
import { squads } from "./squads";

/**
 * How Squadron reaches an MCP server:
 * - `http`: Streamable HTTP at `url`, with the stored headers (e.g. `Authorization`);
 * - `stdio`: a local process (`command` + `args`) spoken to over stdin/stdout — self-hosted only
 *   (refused when `SQUADRON_HOSTED=1`: a tenant must not run commands on the service's machines).
 */
export const mcpTransports = ["http", "stdio"] as const;
export type McpTransport = (typeof mcpTransports)[number];

/**
 * An MCP server a squad's agents may use (`lib/mcp-client`). Its tools are offered to the agents of
 * `allowedRoles` (empty = the builders) as `mcp__<name>__<tool>`. Header values are secrets: stored
 * encrypted (`lib/crypto/secrets`, one JSON object `{ name: value }`) and never returned by the API,
 * which shows only the header names.
 */
export const squadMcpServers = pgTable(
  "squad_mcp_servers",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    organizationId: organizationId(),
    squadId: uuid("squad_id")
      .notNull()
      .references(() => squads.id, { onDelete: "cascade" }),
    /** Unique per squad, `[a-z0-9_-]`, 1–32 characters: the `<server>` of `mcp__<server>__<tool>`. */
    name: text("name").notNull(),
    transport: text("transport", { enum: mcpTransports }).notNull(),
    /** Streamable HTTP endpoint (`http` transport). */
    url: text("url"),
    /** Encrypted JSON object of header names to values (`http` transport); null = no headers. */
    headersEncrypted: text("headers_encrypted"),
    /** The header names (not secret), so the API can show which headers are set. */
    headerNames: jsonb("header_names").$type<string[]>().notNull().default([]),
    /** Executable and its arguments (`stdio` transport). */
    command: text("command"),
    args: jsonb("args").$type<string[]>().notNull().default([]),
    /** Agent roles offered its tools; empty = the builder roles. */
    allowedRoles: jsonb("allowed_roles").$type<AgentRole[]>().notNull().default([]),
    enabled: boolean("enabled").notNull().default(true),
    /** Why the last check (on save) failed; null when it succeeded or was not made. */
    lastError: text("last_error"),
    /** Tool names the last successful check listed. */
    toolNames: jsonb("tool_names").$type<string[]>().notNull().default([]),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index("squad_mcp_servers_organization_idx").on(t.organizationId),
    uniqueIndex("squad_mcp_servers_squad_name_uq").on(t.squadId, t.name),
  ],
);
