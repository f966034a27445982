import type { AgentRole, ModelCandidate } from "@/db/schema";
import { roleKind, type RoleKind } from "@/lib/agents/roles";
import { priceOf, resolveRoute, type ModelPrice, type ModelTier } from "@/lib/llm";
import { offlinePriceFor } from "@/lib/llm/providers/offline";

/**
 * Typical model usage of one subtask by the kind of role that carries it out: calls and tokens per
 * call. Rough figures from the tool loops (a builder reads, writes and summarises; QA runs the tests
 * and reports; a reviewer answers once with a large diff in the prompt). Used only for estimates.
 */
export const EXPECTED_USAGE: Record<RoleKind, { calls: number; inputTokens: number; outputTokens: number }> = {
  planner: { calls: 1, inputTokens: 2_000, outputTokens: 800 },
  designer: { calls: 3, inputTokens: 5_000, outputTokens: 1_000 },
  builder: { calls: 4, inputTokens: 6_000, outputTokens: 1_500 },
  tester: { calls: 2, inputTokens: 3_000, outputTokens: 400 },
  reviewer: { calls: 1, inputTokens: 8_000, outputTokens: 1_000 },
};

/**
 * Projected cost of running a plan, in USD micros: for each subtask, the expected usage of its role's
 * kind ({@link EXPECTED_USAGE}) at the price of the first model its agent's route would use.
 * @param priceFor the price of a role's model (USD per 1M tokens), or null when it is free or unpriced
 * @returns the total and each subtask's share (by key)
 */
export function estimateRunCost(
  subtasks: { key: string; role: AgentRole }[],
  priceFor: (role: AgentRole) => ModelPrice | null,
): { totalUsdMicros: number; bySubtask: Record<string, number> } {
  const bySubtask: Record<string, number> = {};
  for (const s of subtasks) {
    const usage = EXPECTED_USAGE[roleKind(s.role)];
    const price = priceFor(s.role);
    // USD per 1M tokens is micros per token.
    bySubtask[s.key] = price ? Math.round(usage.calls * (usage.inputTokens * price.input + usage.outputTokens * price.output)) : 0;
  }
  return { totalUsdMicros: Object.values(bySubtask).reduce((a, b) => a + b, 0), bySubtask };
}

/**
 * The price of the model a route would use first (after {@link resolveRoute}), from the price table;
 * for the offline model, the task's scenario's simulated price.
 */
export function routePrice(route: ModelCandidate[], taskTitle: string, tier?: ModelTier): ModelPrice | null {
  const first = resolveRoute(route, undefined, { tier })[0];
  if (!first) return null;
  if (first.provider === "offline") return offlinePriceFor(taskTitle);
  return priceOf(first.provider, first.model);
}
