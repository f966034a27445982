import type { AgentRole, ModelCandidate } from "@/db/schema";
import { roleDefinitions } from "@/lib/agents/roles";
import { estimateRunCost, routePrice } from "./estimate-run-cost";

/**
 * What one task of a squad is expected to cost before it is planned, in USD micros: one subtask per
 * agent of the squad (each role's typical usage, {@link estimateRunCost}) at the price of the first
 * model its route would use. The plan's own estimate replaces it once the product manager has planned.
 * @returns the projected cost, or null when none of the squad's models has a price (offline, local)
 */
export function estimateSquadTaskCost(agents: { role: AgentRole; modelRoute: ModelCandidate[] }[], taskTitle = ""): number | null {
  const estimate = estimateRunCost(
    agents.map((a) => ({ key: a.role, role: a.role })),
    (role) => {
      const agent = agents.find((a) => a.role === role);
      const route = agent && agent.modelRoute.length > 0 ? agent.modelRoute : [...roleDefinitions[role].defaultRoute];
      return routePrice(route, taskTitle, roleDefinitions[role].tier);
    },
  );
  return estimate.totalUsdMicros > 0 ? estimate.totalUsdMicros : null;
}
