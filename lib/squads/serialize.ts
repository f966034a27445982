import type { AgentRow, SquadRow } from "@/db/queries/squads";
import { agentRoles } from "@/db/schema/squads";
import { agentToolNames } from "@/lib/agents/agent-tools";
import { roleDefinitions, roleKind } from "@/lib/agents/roles";
import { parseSquadPolicy } from "@/lib/policy/schemas";

/**
 * The public JSON of a squad with its agents (in role order: planning, design, review, building,
 * testing, operations). Each agent shows its overrides (`instructions`,
 * `systemPrompt`, `modelRoute`, `toolOverrides`, `maxTurns`, `maxRunTokens`) next to its role's defaults
 * (`persona`, `tools`, `defaultRoute`, `tier`, `defaultMaxTurns`, `defaultMaxRunTokens`) and the tools it
 * really gets (`effectiveTools`); token limits count input + output tokens. `usageThisMonth` rolls
 * the squad's model usage up per agent role; `organizationBudget` is the organization's monthly budget
 * and spend. Budgets and costs are USD micros.
 */
export type SquadUsage = {
  /** Start of the month (UTC) the figures cover. */
  since: string;
  byRole: { role: string; calls: number; inputTokens: number; outputTokens: number; costUsdMicros: number }[];
};
export type OrganizationBudgetJson = { monthlyBudgetUsdMicros: number | null; spentThisMonthUsdMicros: number };

export function serializeSquad(
  squad: SquadRow,
  agents: AgentRow[],
  extra: { usageThisMonth: SquadUsage; organizationBudget: OrganizationBudgetJson },
) {
  return {
    id: squad.id,
    name: squad.name,
    repositoryId: squad.repositoryId,
    autonomy: squad.autonomy,
    /** `squad` or `single_agent` (see `squadWorkflows` in db/schema/squads.ts). */
    workflow: squad.workflow,
    budgetUsdMicros: squad.budgetUsdMicros,
    policy: parseSquadPolicy(squad.policy),
    agents: agents
      .filter((a) => a.squadId === squad.id)
      .sort((a, b) => agentRoles.indexOf(a.role) - agentRoles.indexOf(b.role))
      .map((a) => {
        const role = roleDefinitions[a.role];
        return {
          id: a.id,
          role: a.role,
          name: a.name,
          kind: roleKind(a.role),
          instructions: a.instructions,
          systemPrompt: a.systemPrompt,
          modelRoute: a.modelRoute,
          routeConstraints: { privacy: a.routeConstraints.privacy ?? "any", maxCostPerCallUsdMicros: a.routeConstraints.maxCostPerCallUsdMicros ?? null },
          persona: role.persona,
          tools: role.tools,
          toolOverrides: { enabled: a.toolOverrides.enabled ?? [], disabled: a.toolOverrides.disabled ?? [] },
          effectiveTools: agentToolNames(a.role, a.toolOverrides),
          maxTurns: a.maxTurns,
          maxRunTokens: a.maxRunTokens,
          defaultMaxTurns: role.maxTurns,
          defaultMaxRunTokens: role.maxRunTokens,
          defaultRoute: role.defaultRoute,
          tier: role.tier,
        };
      }),
    usageThisMonth: {
      ...extra.usageThisMonth,
      costUsdMicros: extra.usageThisMonth.byRole.reduce((sum, r) => sum + r.costUsdMicros, 0),
    },
    organizationBudget: extra.organizationBudget,
    createdAt: squad.createdAt.toISOString(),
  };
}
export type SquadJson = ReturnType<typeof serializeSquad>;
