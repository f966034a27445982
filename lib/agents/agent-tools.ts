import type { AgentRole, AgentToolOverrides } from "@/db/schema/squads";
import { workspaceTools } from "@/lib/workspace";
import { roleTools } from "./roles";

export type { AgentToolOverrides };

/** The collaboration tool; offered only when the agent has teammates and a way to ask them. */
export const ASK_TEAMMATE = "ask_teammate";

/** Every tool name an agent can be given: the workspace tools and `ask_teammate`. */
export function knownToolNames(): string[] {
  return [...workspaceTools.map((t) => t.name), ASK_TEAMMATE];
}

/** The names in `names` that are no tool (for a 422 that says which). */
export function unknownToolNames(names: readonly string[]): string[] {
  const known = new Set(knownToolNames());
  return names.filter((n) => !known.has(n));
}

/**
 * The tool names an agent may call: its role's tools (`lib/agents/roles`), plus `overrides.enabled`,
 * minus `overrides.disabled` (disabling wins when a name is in both). Unknown names are dropped.
 */
export function agentToolNames(role: AgentRole, overrides: AgentToolOverrides = {}): string[] {
  const known = new Set(knownToolNames());
  const disabled = new Set(overrides.disabled ?? []);
  const names = [...roleTools(role), ...(overrides.enabled ?? [])].filter((n) => known.has(n) && !disabled.has(n));
  return [...new Set(names)];
}

/**
 * The workspace tool definitions (JSON Schema parameters) of the named tools, in the offering order of
 * `lib/workspace/tools/` (the one source of tool definitions). `ask_teammate` is built by the agent loop.
 */
export { workspaceToolDefinitions } from "@/lib/workspace";
