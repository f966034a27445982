// Client-safe view of the role catalog (no personas, no server imports) for components.
import { agentRoleCatalog, agentRoles, type AgentRole, type RoleKind } from "@/db/schema/agent-roles";

export { agentRoleCatalog, agentRoles, subtaskRoles, roleKinds, type AgentRole, type RoleKind } from "@/db/schema/agent-roles";

/** Whether `value` is one of the role ids. */
export function isAgentRole(value: string): value is AgentRole {
  return (agentRoles as readonly string[]).includes(value);
}

/** Human-readable role name ("QA engineer"). */
export function roleLabel(role: AgentRole): string {
  return agentRoleCatalog[role].label;
}

/** What the role does in a run (see {@link RoleKind}). */
export function roleKind(role: AgentRole): RoleKind {
  return agentRoleCatalog[role].kind;
}
