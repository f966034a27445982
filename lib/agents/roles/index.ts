import { agentRoles, type AgentRole } from "@/db/schema/agent-roles";
import * as designers from "./architect";
import * as builders from "./developer";
import * as planners from "./product-manager";
import * as testers from "./qa-engineer";
import * as reviewers from "./tech-lead";
import type { AgentToolName, RoleDefinition } from "./types";

export type { AgentToolName, ModelTier, RoleDefinition, RoleKind } from "./types";
export { agentRoleCatalog, isAgentRole, roleKind, roleLabel } from "./catalog";
import { roleKind } from "./catalog";

function byRole(modules: Record<string, RoleDefinition>[]): Record<AgentRole, RoleDefinition> {
  const found = new Map<string, RoleDefinition>();
  for (const def of modules.flatMap((m) => Object.values(m))) found.set(def.role, def);
  const missing = agentRoles.filter((r) => !found.has(r));
  // A role added to the catalog (db/schema/agent-roles.ts) without a definition is a programming error.
  if (missing.length > 0) throw new Error(`No role definition in lib/agents/roles for: ${missing.join(", ")}`);
  return Object.fromEntries(agentRoles.map((r) => [r, found.get(r)])) as Record<AgentRole, RoleDefinition>;
}

/** Every role Squadron knows, by role id: every `RoleDefinition` exported by the files of this folder. */
export const roleDefinitions: Record<AgentRole, RoleDefinition> = byRole([planners, designers, reviewers, builders, testers]);

/** The role's persona (system prompt) before any per-agent override. */
export function rolePrompt(role: AgentRole): string {
  return roleDefinitions[role].persona;
}

/** Which tools the role may call. */
export function roleTools(role: AgentRole): readonly AgentToolName[] {
  return roleDefinitions[role].tools;
}

/** Builders take each other's subtasks when a squad lacks the specialist the plan names: the generalist first (catalog order). */
const builderFallbacks: AgentRole[] = agentRoles.filter((r) => roleKind(r) === "builder");

/**
 * The squad member who carries out a subtask planned for `role`: the role itself when the squad has
 * it; for a builder role the squad lacks, another builder (the generalist `developer` first); for a
 * designer the squad lacks, its reviewer (the tech lead). `null` when nobody in the squad can take it.
 */
export function assigneeFor(role: AgentRole, squadRoles: readonly AgentRole[]): AgentRole | null {
  if (squadRoles.includes(role)) return role;
  const kind = roleKind(role);
  if (kind === "builder") return builderFallbacks.find((r) => squadRoles.includes(r)) ?? null;
  if (kind === "designer") return squadRoles.find((r) => roleKind(r) === "reviewer") ?? null;
  return null;
}
