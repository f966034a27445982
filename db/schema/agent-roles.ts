// Pure constants (no drizzle or server imports), so the UI can use them through lib/agents/roles/catalog.ts.

/**
 * The one list of roles an agent can have. Everything else derives from it: the `agents.role` and
 * `tasks.role` columns, the plan schema's roles (`lib/llm/schemas.ts`), labels and colours in the UI.
 *
 * Adding a role touches two files: an entry here (id, label, kind) and its definition (persona, tools,
 * model tier) exported from one of the files in `lib/agents/roles/` (e.g. `developer.ts` for a builder).
 * Order matters: it is the order agents are listed in (planning, design, review, building, testing, operations).
 */
export const agentRoles = [
  "product_manager",
  "architect",
  "tech_lead",
  "developer",
  "backend_developer",
  "frontend_developer",
  "qa_engineer",
  "devops_engineer",
] as const;
export type AgentRole = (typeof agentRoles)[number];

/**
 * What a role does in a run, which decides how its subtasks are carried out (`lib/tasks/run-plan.ts`):
 * - `planner` splits the task into a plan (never takes subtasks)
 * - `designer` studies the code and writes design notes for the roles after it
 * - `builder` changes the workspace
 * - `tester` runs the repository's tests; failures go back to a builder to fix
 * - `reviewer` reviews the patch (structured review)
 */
export const roleKinds = ["planner", "designer", "builder", "tester", "reviewer"] as const;
export type RoleKind = (typeof roleKinds)[number];

/** Label (for people) and kind of every role. */
export const agentRoleCatalog: Record<AgentRole, { label: string; kind: RoleKind }> = {
  product_manager: { label: "Product manager", kind: "planner" },
  architect: { label: "Architect", kind: "designer" },
  tech_lead: { label: "Tech lead", kind: "reviewer" },
  developer: { label: "Developer", kind: "builder" },
  backend_developer: { label: "Backend developer", kind: "builder" },
  frontend_developer: { label: "Frontend developer", kind: "builder" },
  qa_engineer: { label: "QA engineer", kind: "tester" },
  devops_engineer: { label: "DevOps engineer", kind: "builder" },
};

/** Roles a planned subtask can be assigned to: every role but the planners (they plan, they do not take subtasks). */
export const subtaskRoles: readonly AgentRole[] = agentRoles.filter((r) => agentRoleCatalog[r].kind !== "planner");
