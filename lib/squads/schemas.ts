import { z } from "zod";
import { agentRoles, squadAutonomy, squadWorkflows } from "@/db/schema/squads";
import { squadPolicySchema } from "@/lib/policy/schemas";

/** One model candidate of a route: a provider and a model id (`{ provider: "anthropic", model: "claude-sonnet-5-5" }`). */
export const modelCandidateSchema = z
  .object({
    provider: z.enum(["openai", "anthropic", "offline"]),
    model: z.string().trim().min(1).max(200),
  })
  .strict();

const toolName = z
  .string()
  .regex(/^[a-z][a-z0-9_]{0,63}$/, "a tool name such as read_file")
  .meta({ description: "A tool name as the model sees it, e.g. `run_tests`." });

/** Per-agent tool changes: names to add to the role's tools and names to remove (removal wins). */
export const agentToolOverridesSchema = z
  .object({
    enabled: z.array(toolName).max(50).optional(),
    disabled: z.array(toolName).max(50).optional(),
  })
  .strict();

/**
 * A change to one agent of a squad, by role: adds the role when the squad lacks it, updates it
 * otherwise, removes it with `enabled: false`. `instructions` are appended to the role's persona,
 * `systemPrompt` replaces it, `modelRoute` is its ordered model candidates (empty = the role's
 * default route), `privacy` and `maxCostPerCallUsdMicros` limit that route, `tools` adds or removes
 * tools of the role, `maxTurns` and `maxRunTokens` limit one run of the agent; null clears a field.
 */
export const agentPatchSchema = z
  .object({
    role: z.enum(agentRoles),
    enabled: z.boolean().default(true),
    name: z.string().trim().min(1).max(100).optional(),
    instructions: z.string().trim().max(10_000).nullable().optional(),
    systemPrompt: z.string().trim().max(20_000).nullable().optional(),
    modelRoute: z.array(modelCandidateSchema).max(10).optional(),
    /** `local_only`: only local OpenAI-compatible servers (or the offline model); `any` lifts it. */
    privacy: z.enum(["any", "local_only"]).optional(),
    /** Skip candidates whose worst-case cost per call is higher (USD micros); null lifts it. */
    maxCostPerCallUsdMicros: z.number().int().min(0).nullable().optional(),
    /** Tools added to (`enabled`) or removed from (`disabled`) the role's own; replaces the agent's overrides; null clears them. */
    tools: agentToolOverridesSchema.nullable().optional(),
    /** Most turns of one run of this agent (null = the role's default). */
    maxTurns: z.number().int().min(1).max(500).nullable().optional(),
    /** Most tokens (input + output) one run of this agent may use (null = the role's default). */
    maxRunTokens: z.number().int().min(1_000).max(2_000_000_000).nullable().optional(),
  })
  .strict();
export type AgentPatch = z.output<typeof agentPatchSchema>;

/**
 * Body of `PATCH /api/v1/squads/{id}`: every field optional.
 * - `repositoryId`: the repository the squad works on by default (null = none); the organization's own
 * - `autonomy`: `autonomous` | `supervised` | `human_required`
 * - `workflow`: `squad` (plan → subtasks → review) | `single_agent` (one builder, no plan, no review)
 * - `budgetUsdMicros`: budget of each task in USD micros (null = none)
 * - `organizationMonthlyBudgetUsdMicros`: the whole organization's model budget per calendar month
 *   (UTC), shared by all its squads (null = none)
 * - `policy`: `{ rules, approvalTimeoutSeconds }` (replaces the squad's policy; see `lib/policy/schemas.ts`)
 * - `agents`: per-role changes ({@link agentPatchSchema}); roles not listed are left alone
 */
export const updateSquadSchema = z
  .object({
    name: z.string().trim().min(1).max(100).optional(),
    repositoryId: z.uuid("repositoryId must be a UUID").nullable().optional(),
    autonomy: z.enum(squadAutonomy).optional(),
    workflow: z.enum(squadWorkflows).optional(),
    budgetUsdMicros: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).nullable().optional(),
    organizationMonthlyBudgetUsdMicros: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).nullable().optional(),
    policy: squadPolicySchema.optional(),
    agents: z
      .array(agentPatchSchema)
      .max(agentRoles.length)
      .refine((list) => new Set(list.map((a) => a.role)).size === list.length, { message: "each role at most once" })
      .optional(),
  })
  .strict();
export type UpdateSquadInput = z.input<typeof updateSquadSchema>;
export type UpdateSquadData = z.output<typeof updateSquadSchema>;

/**
 * Body of `POST /api/v1/squads`: a name, optionally the repository it works on (the organization's
 * own), its autonomy (default `autonomous`, as the default squad) and its per-task
 * budget in USD micros (null = none).
 */
export const createSquadInputSchema = z
  .object({
    name: z.string().trim().min(1, "Name is required").max(100, "Name must be at most 100 characters"),
    repositoryId: z.uuid("repositoryId must be a UUID").nullable().optional(),
    autonomy: z.enum(squadAutonomy).default("autonomous"),
    budgetUsdMicros: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).nullable().optional(),
  })
  .strict();
export type CreateSquadInput = z.input<typeof createSquadInputSchema>;
export type CreateSquadData = z.output<typeof createSquadInputSchema>;

/** Query of `GET /api/v1/agents`: optionally only one squad's agents. */
export const listAgentsQuerySchema = z.object({
  squadId: z.uuid("squadId must be a UUID").optional(),
});
