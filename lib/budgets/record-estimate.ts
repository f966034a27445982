import { getDb } from "@/db/client";
import { updateTask } from "@/db/queries/tasks";
import { roleDefinitions } from "@/lib/agents/roles";
import { appendTaskEvent } from "@/lib/events/append-task-event";
import type { StoredPlan, TaskRunContext } from "@/lib/tasks/workflow";
import { estimateRunCost, routePrice } from "./estimate-run-cost";
import { formatUsd } from "./usd";

/**
 * Estimates what running the plan's unfinished subtasks will cost ({@link estimateRunCost}, with each
 * agent's route and its price) before they run, stores it on the task and says it in the timeline
 * next to the budget.
 * @returns the projected cost in USD micros
 */
export async function recordEstimate(ctx: TaskRunContext, runId: string, plan: StoredPlan): Promise<number> {
  const todo = plan.subtasks.filter((s) => s.status !== "completed");
  const estimate = estimateRunCost(todo, (role) => {
    const agent = ctx.agents.find((a) => a.role === role);
    const route = agent && agent.modelRoute.length > 0 ? agent.modelRoute : [...roleDefinitions[role].defaultRoute];
    return routePrice(route, ctx.title, roleDefinitions[role].tier);
  });
  const budget = ctx.budget.taskUsdMicros;
  await getDb().transaction(async (tx) => {
    await updateTask(tx, ctx, { estimatedCostUsdMicros: estimate.totalUsdMicros });
    await appendTaskEvent(tx, {
      ...ctx,
      type: "message",
      actor: "system",
      message: `Estimated cost of the ${todo.length} subtask(s) to run: ${formatUsd(estimate.totalUsdMicros)}${budget !== null ? ` (task budget ${formatUsd(budget)})` : ""}`,
      data: { estimatedUsdMicros: estimate.totalUsdMicros, bySubtask: estimate.bySubtask, budgetUsdMicros: budget },
      dedupeKey: `${runId}:estimate`,
    });
  });
  return estimate.totalUsdMicros;
}
