import type { AgentRole } from "@/db/schema/squads";
import { architect } from "./architect";
import { backendDeveloper, developer, devopsEngineer, frontendDeveloper } from "./developer";
import { productManager } from "./product-manager";
import { qaEngineer } from "./qa-engineer";
import { techLead } from "./tech-lead";
import type { AgentToolName, RoleDefinition, RoleKind } from "./types";

export type { AgentToolName, ModelTier, RoleDefinition, RoleKind } from "./types";

/** Every role Squadron knows, by role id. */
export const roleDefinitions: Record<AgentRole, RoleDefinition> = {
  product_manager: productManager,
  architect,
  tech_lead: techLead,
  developer,
  backend_developer: backendDeveloper,
  frontend_developer: frontendDeveloper,
  qa_engineer: qaEngineer,
  devops_engineer: devopsEngineer,
};

/** The role's persona (system prompt) before any per-agent override. */
export function rolePrompt(role: AgentRole): string {
  return roleDefinitions[role].persona;
}

/** Which tools the role may call. */
export function roleTools(role: AgentRole): readonly AgentToolName[] {
  return roleDefinitions[role].tools;
}

/** Human-readable role name for the timeline ("QA engineer"). */
export function roleLabel(role: AgentRole): string {
  return roleDefinitions[role].label;
}

export function roleKind(role: AgentRole): RoleKind {
  return roleDefinitions[role].kind;
}

// Builders take each other's subtasks when a squad lacks the specialist the plan names: the generalist first.
const builderFallbacks: AgentRole[] = ["developer", "backend_developer", "frontend_developer", "devops_engineer"];

/**
 * The squad member who carries out a subtask planned for `role`: the role itself when the squad has
 * it; for a builder role the squad lacks, another builder (the generalist `developer` first); for an
 * architect the squad lacks, its tech lead. `null` when nobody in the squad can take it.
 */
export function assigneeFor(role: AgentRole, squadRoles: readonly AgentRole[]): AgentRole | null {
  if (squadRoles.includes(role)) return role;
  const kind = roleKind(role);
  if (kind === "builder") return builderFallbacks.find((r) => squadRoles.includes(r)) ?? null;
  if (role === "architect" && squadRoles.includes("tech_lead")) return "tech_lead";
  return null;
}
