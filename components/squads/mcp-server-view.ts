import { z } from "zod";
import { agentRoles } from "@/lib/agents/roles/catalog";

/** Client view of one server as the API returns it (parsed, never cast). */
export const mcpServerViewSchema = z.object({
  id: z.string(),
  name: z.string(),
  transport: z.enum(["http", "stdio"]),
  url: z.string().nullable(),
  headerNames: z.array(z.string()),
  command: z.string().nullable(),
  args: z.array(z.string()),
  allowedRoles: z.array(z.enum(agentRoles)),
  enabled: z.boolean(),
  lastError: z.string().nullable(),
  toolNames: z.array(z.string()),
});
export type McpServerView = z.infer<typeof mcpServerViewSchema>;
