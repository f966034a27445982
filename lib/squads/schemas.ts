import { z } from "zod";
import { agentRoles, squadAutonomy } from "@/db/schema/squads";
import { squadPolicySchema } from "@/lib/policy/schemas";

/** One model candidate of a route: a provider and a model id (`{ provider: "anthropic", model: "claude-sonnet-5-5" }`). */
export const modelCandidateSchema = z
  .object({
    provider: z.enum(["openai", "anthropic", "offline"]),
    model: z.string().trim().min(1).max(200),
  })
  .strict();

/**
 * A change to one agent of a squad, by role: adds the role when the squad lacks it, updates it
 * otherwise, removes it with `enabled: false`. `instructions` are appended to the role's persona,
 * `systemPrompt` replaces it, `modelRoute` is its ordered model candidates (empty = the role's
 * default route), `privacy` and `maxCostPerCallUsdMicros` limit that route; null clears a field.
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
  })
  .strict();
export type AgentPatch = z.output<typeof agentPatchSchema>;

/**
 * Body of `PATCH /api/v1/squads/{id}`: every field optional.
 * - `autonomy`: `autonomous` | `supervised` | `human_required`
 * - `budgetUsdMicros`: budget of each task in USD micros (null = none)
 * - `organizationMonthlyBudgetUsdMicros`: the whole organization's model budget per calendar month
 *   (UTC), shared by all its squads (null = none)
 * - `policy`: `{ rules, approvalTimeoutSeconds }` (replaces the squad's policy; see `lib/policy/schemas.ts`)
 * - `agents`: per-role changes ({@link agentPatchSchema}); roles not listed are left alone
 */
export const updateSquadSchema = z
  .object({
    name: z.string().trim().min(1).max(100).optional(),
    autonomy: z.enum(squadAutonomy).optional(),
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

/** Query of `GET /api/v1/agents`: optionally only one squad's agents. */
export const listAgentsQuerySchema = z.object({
  squadId: z.uuid("squadId must be a UUID").optional(),
});
