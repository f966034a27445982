import { z } from "zod";
import { agentRoles } from "@/db/schema/agent-roles";
import { mcpTransports } from "@/db/schema/mcp-servers";
import { endpointUrlSchema } from "@/lib/outbound-webhooks/schemas";

/** A server's name: the `<server>` of `mcp__<server>__<tool>`; unique per squad. */
export const mcpServerNameSchema = z
  .string()
  .trim()
  .regex(/^[a-z0-9_-]{1,32}$/, "Use 1 to 32 characters of a-z, 0-9, _ and -")
  .refine((n) => !n.includes("__"), "A name may not contain two underscores in a row (they separate server and tool)");

/** Header names as HTTP allows them (a token); values are secrets, stored encrypted. */
const headersSchema = z
  .record(z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}$/, "Not a valid header name"), z.string().max(8_000).regex(/^[^\r\n]*$/, "Header values may not contain line breaks"))
  .refine((h) => Object.keys(h).length <= 20, "At most 20 headers");

const argsSchema = z.array(z.string().max(2_000)).max(50);
const rolesSchema = z
  .array(z.enum(agentRoles))
  .max(agentRoles.length)
  .transform((r) => [...new Set(r)]);

/**
 * `POST /api/v1/squads/{id}/mcp-servers` body. `http`: `url` (Streamable HTTP) and optional `headers`;
 * `stdio`: `command` and `args` (self-hosted only). `check` (default true) connects and lists the
 * server's tools before answering; an unreachable server is saved anyway, with `lastError`.
 */
export const createMcpServerInputSchema = z.discriminatedUnion("transport", [
  z
    .object({
      name: mcpServerNameSchema,
      transport: z.literal("http"),
      url: endpointUrlSchema,
      headers: headersSchema.default({}),
      allowedRoles: rolesSchema.default([]),
      enabled: z.boolean().default(true),
      check: z.boolean().default(true),
    })
    .strict(),
  z
    .object({
      name: mcpServerNameSchema,
      transport: z.literal("stdio"),
      command: z.string().trim().min(1).max(1_000),
      args: argsSchema.default([]),
      allowedRoles: rolesSchema.default([]),
      enabled: z.boolean().default(true),
      check: z.boolean().default(true),
    })
    .strict(),
]);
export type CreateMcpServerInput = z.input<typeof createMcpServerInputSchema>;
export type CreateMcpServerData = z.output<typeof createMcpServerInputSchema>;

/**
 * `PATCH /api/v1/squads/{id}/mcp-servers/{serverId}` body: any field; `headers` replaces every header
 * (`{}` removes them). Fields of the other transport are refused. Changing how the server is reached
 * (url, headers, command, args) or enabling it checks it again (unless `check: false`).
 */
export const updateMcpServerInputSchema = z
  .object({
    name: mcpServerNameSchema.optional(),
    url: endpointUrlSchema.optional(),
    headers: headersSchema.optional(),
    command: z.string().trim().min(1).max(1_000).optional(),
    args: argsSchema.optional(),
    allowedRoles: rolesSchema.optional(),
    enabled: z.boolean().optional(),
    check: z.boolean().optional(),
  })
  .strict()
  .refine((v) => Object.entries(v).some(([k, x]) => k !== "check" && x !== undefined), "Give at least one field to change");
export type UpdateMcpServerData = z.output<typeof updateMcpServerInputSchema>;

/** An MCP server as the API returns it: header names, never their values. */
export const mcpServerSchema = z.object({
  id: z.uuid(),
  squadId: z.uuid(),
  name: z.string(),
  transport: z.enum(mcpTransports),
  url: z.string().nullable(),
  headerNames: z.array(z.string()),
  command: z.string().nullable(),
  args: z.array(z.string()),
  allowedRoles: z.array(z.enum(agentRoles)),
  enabled: z.boolean(),
  /** Why the last check failed (null: it succeeded, or none was made). */
  lastError: z.string().nullable(),
  /** Tool names the last successful check listed (as the server names them). */
  toolNames: z.array(z.string()),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type McpServerJson = z.infer<typeof mcpServerSchema>;
