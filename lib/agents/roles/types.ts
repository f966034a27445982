import type { AgentRole, ModelCandidate } from "@/db/schema/squads";
import type { ModelTier } from "@/lib/llm/types";

export type { ModelTier };

/**
 * What a role does in a run, which decides how its subtasks are carried out (`lib/tasks/subtasks.ts`):
 * - `planner` splits the task into a plan (the product manager; never takes subtasks)
 * - `designer` studies the code and writes design notes for the roles after it
 * - `builder` changes the workspace with `write_file`
 * - `tester` runs the repository's tests; failures go back to a builder to fix
 * - `reviewer` reviews the patch (structured review)
 */
export type RoleKind = "planner" | "designer" | "builder" | "tester" | "reviewer";

/** Tools an agent may be given: the workspace tools plus `ask_teammate` (collaboration). */
export type AgentToolName = "list_files" | "read_file" | "write_file" | "run_tests" | "ask_teammate";

/**
 * One role of a squad: its persona (the system prompt), its tools and its default model route.
 * A squad's agent may append its own instructions to the persona, replace the persona, and set its
 * own model route (`agents.instructions`, `agents.system_prompt`, `agents.model_route`).
 */
export type RoleDefinition = {
  role: AgentRole;
  /** Human-readable name for the timeline. */
  label: string;
  kind: RoleKind;
  /** The role's system prompt. It states what the role produces, so any model knows how to end its turn. */
  persona: string;
  tools: readonly AgentToolName[];
  /** Ordered model candidates when the agent has no route of its own; empty = the deployment default. */
  defaultRoute: readonly ModelCandidate[];
  /** Which default model the role gets when its route is empty. */
  tier: ModelTier;
};
