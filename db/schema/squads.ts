import { bigint, index, integer, jsonb, pgTable, text, uuid } from "drizzle-orm/pg-core";
import { agentRoles } from "./agent-roles";
import { createdAt, organizationId, updatedAt } from "./_columns";

/** A git repository a squad works on: a local path (embedded default) or a GitHub repository. */
export const repositories = pgTable(
  "repositories",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    organizationId: organizationId(),
    name: text("name").notNull(),
    localPath: text("local_path"),
    githubFullName: text("github_full_name"),
    defaultBranch: text("default_branch").notNull().default("main"),
    /** Shell command QA runs in the worktree, e.g. `npm test`. */
    testCommand: text("test_command").notNull().default("npm test"),
    /**
     * HMAC secret for `X-Hub-Signature-256` of this repository's webhook, encrypted at rest
     * (`encryptSecret` / `decryptSecret` of `lib/crypto/secrets.ts`); never returned by the API after creation.
     */
    webhookSecretEncrypted: text("webhook_secret_encrypted").notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index("repositories_organization_id_idx").on(t.organizationId)],
);

export const squadAutonomy = ["autonomous", "supervised", "human_required"] as const;
export type SquadAutonomy = (typeof squadAutonomy)[number];

/**
 * How a squad's task runs (`inngest/functions/task-workflow.ts`):
 * - `squad`: the product manager plans, the plan's subtasks run (developers, QA, reviewer), the tech lead reviews;
 * - `single_agent`: one builder works the whole task (no plan, no QA agent, no review), the suite still runs
 *   for the test report; the single-agent baseline of the evaluation harness (`npm run eval -- --baseline`).
 */
export const squadWorkflows = ["squad", "single_agent"] as const;
export type SquadWorkflow = (typeof squadWorkflows)[number];

export const squads = pgTable(
  "squads",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    organizationId: organizationId(),
    name: text("name").notNull(),
    repositoryId: uuid("repository_id").references(() => repositories.id, { onDelete: "set null" }),
    autonomy: text("autonomy", { enum: squadAutonomy }).notNull().default("autonomous"),
    /** `squad` (plan → subtasks → review) or `single_agent` (one builder, no plan, no review): {@link squadWorkflows}. */
    workflow: text("workflow", { enum: squadWorkflows }).notNull().default("squad"),
    /** Policy rules and approval timeout (`lib/policy/schemas.ts` `squadPolicySchema`); parsed on read. */
    policy: jsonb("policy").$type<Record<string, unknown>>().notNull().default({}),
    /** Budget of each task of the squad, in USD micros; crossing it pauses the run for approval. Null = none. */
    budgetUsdMicros: bigint("budget_usd_micros", { mode: "number" }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index("squads_organization_id_idx").on(t.organizationId)],
);

// Every role an agent can have: the one list lives in ./agent-roles.ts (pure, usable by the UI).
export { agentRoles, type AgentRole } from "./agent-roles";

/**
 * Per-agent changes to its role's tool set (`lib/agents/agent-tools.ts`): `enabled` adds tools the role
 * lacks, `disabled` removes tools it has. Tool names as the model sees them (`read_file`, `run_tests`, …).
 */
export type AgentToolOverrides = { enabled?: string[]; disabled?: string[] };

/** One candidate model for an agent, tried in order. `provider` is `openai`, `anthropic` or `offline`. */
export type ModelCandidate = { provider: "openai" | "anthropic" | "offline"; model: string };

/**
 * Limits on an agent's model route (see `lib/llm/route-constraints.ts`): `privacy: "local_only"` keeps
 * its calls on local OpenAI-compatible servers (or the offline model); `maxCostPerCallUsdMicros` skips
 * candidates whose worst-case cost for a call is higher.
 */
export type AgentRouteConstraints = { privacy?: "any" | "local_only"; maxCostPerCallUsdMicros?: number | null };

export const agents = pgTable(
  "agents",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    organizationId: organizationId(),
    squadId: uuid("squad_id")
      .notNull()
      .references(() => squads.id, { onDelete: "cascade" }),
    role: text("role", { enum: agentRoles }).notNull(),
    name: text("name").notNull(),
    /** Ordered model candidates; empty means "the configured default provider". */
    modelRoute: jsonb("model_route").$type<ModelCandidate[]>().notNull().default([]),
    /** Privacy and cost limits on the route (`AgentRouteConstraints`). */
    routeConstraints: jsonb("route_constraints").$type<AgentRouteConstraints>().notNull().default({}),
    /** Optional text appended to the role's persona (system prompt). */
    instructions: text("instructions"),
    /** Optional replacement of the role's persona (system prompt); null = the role's own. */
    systemPrompt: text("system_prompt"),
    /** Tools added to or removed from the role's own (`AgentToolOverrides`). */
    toolOverrides: jsonb("tool_overrides").$type<AgentToolOverrides>().notNull().default({}),
    /** Most turns (model call + its tool calls) of one agent run; null = the role's default (`lib/agents/roles`). */
    maxTurns: integer("max_turns"),
    /** Most tokens (input + output, as the provider counts them) one agent run may use; null = the role's default. */
    maxRunTokens: integer("max_run_tokens"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index("agents_squad_id_idx").on(t.squadId), index("agents_organization_id_idx").on(t.organizationId)],
);
