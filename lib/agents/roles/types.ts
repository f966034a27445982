import type { AgentRole, ModelCandidate } from "@/db/schema/squads";
import type { ModelTier } from "@/lib/llm/types";
import type { WorkspaceToolName } from "@/lib/workspace/tools";

export type { ModelTier };

export type { RoleKind } from "@/db/schema/agent-roles";

/** Tools an agent may be given: the workspace tools plus `ask_teammate` (collaboration). */
export type AgentToolName = WorkspaceToolName | "ask_teammate";

/**
 * One role of a squad: its persona (the system prompt), its tools and its default model route. Its
 * label and kind live in the role catalog (`db/schema/agent-roles.ts`).
 * A squad's agent may append its own instructions to the persona, replace the persona, and set its
 * own model route (`agents.instructions`, `agents.system_prompt`, `agents.model_route`).
 */
export type RoleDefinition = {
  role: AgentRole;
  /** The role's system prompt. It states what the role produces, so any model knows how to end its turn. */
  persona: string;
  tools: readonly AgentToolName[];
  /** Ordered model candidates when the agent has no route of its own; empty = the deployment default. */
  defaultRoute: readonly ModelCandidate[];
  /** Which default model the role gets when its route is empty. */
  tier: ModelTier;
  /** Most turns (one model call and the tool calls it asks for) of one agent run; a squad's agent may override it. */
  maxTurns: number;
  /** Most tokens (input + output over every model call, as the provider reports them) of one agent run; overridable per agent. */
  maxRunTokens: number;
};
