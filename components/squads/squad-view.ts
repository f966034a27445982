import { z } from "zod";
import { squadPolicySchema } from "@/lib/policy/schemas";

/*
 * Client view of `GET /api/v1/squads/{id}`: parsed, never cast. Fields another change may add later
 * (tool overrides, turn limits) are optional so the page works with and without them.
 */
const modelCandidate = z.object({ provider: z.string(), model: z.string() });

export const agentViewSchema = z.object({
  id: z.string(),
  role: z.string(),
  name: z.string(),
  kind: z.string(),
  instructions: z.string().nullable(),
  systemPrompt: z.string().nullable(),
  modelRoute: z.array(modelCandidate),
  persona: z.string(),
  tools: z.array(z.string()),
  defaultRoute: z.array(modelCandidate),
  toolOverrides: z.object({ enabled: z.array(z.string()), disabled: z.array(z.string()) }).optional(),
  effectiveTools: z.array(z.string()).optional(),
  maxTurns: z.number().nullable().optional(),
  defaultMaxTurns: z.number().nullable().optional(),
});
export type AgentView = z.infer<typeof agentViewSchema>;

export const squadViewSchema = z.object({
  id: z.string(),
  name: z.string(),
  repositoryId: z.string().nullable(),
  autonomy: z.enum(["autonomous", "supervised", "human_required"]),
  budgetUsdMicros: z.number().nullable(),
  policy: squadPolicySchema,
  agents: z.array(agentViewSchema),
  usageThisMonth: z.object({ costUsdMicros: z.number() }).passthrough(),
  organizationBudget: z.object({ monthlyBudgetUsdMicros: z.number().nullable(), spentThisMonthUsdMicros: z.number() }),
  createdAt: z.string(),
});
export type SquadView = z.infer<typeof squadViewSchema>;

export const autonomyOptions = [
  { value: "autonomous", label: "Autonomous", description: "Plans and delivers on its own; only your policy rules stop it." },
  { value: "supervised", label: "Supervised", description: "A person approves what it delivers (and dependency changes)." },
  { value: "human_required", label: "Human required", description: "A person approves every plan and every delivery." },
] as const;

/** `openai:gpt-5.1, anthropic:claude-sonnet-5-5` ↔ a model route. */
export function formatRoute(route: { provider: string; model: string }[]): string {
  return route.map((c) => `${c.provider}:${c.model}`).join(", ");
}
