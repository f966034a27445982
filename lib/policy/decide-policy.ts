import { getDb } from "@/db/client";
import { findSquad } from "@/db/queries/squads";
import { findTask } from "@/db/queries/tasks";
import { appendTaskEvent } from "@/lib/events/append-task-event";
import { AppError } from "@/lib/errors";
import { evaluatePolicy, strictest, type PolicyDecision, type PolicyFacts } from "./evaluate-policy";
import { parseSquadPolicy } from "./schemas";

const verdicts: Record<PolicyDecision["decision"], string> = {
  allow: "allowed",
  require_approval: "needs a person's approval",
  deny: "refused",
};

/**
 * Decides an action of a run with the squad's current policy (autonomy and rules, read now) and
 * records the decision with its reason as a `policy` timeline entry (once per run and `key`). With
 * several facts (a delivery that also changes dependencies) the strictest decision wins.
 * @returns the decision: `allow`, `require_approval` or `deny`, with the reason and the deciding rule
 * @throws AppError `not_found` when the task or its squad is gone
 */
export async function decidePolicy(
  scope: { organizationId: string; taskId: string },
  runId: string,
  key: string,
  facts: PolicyFacts[],
): Promise<PolicyDecision> {
  const db = getDb();
  const task = await findTask(db, scope);
  if (!task) throw new AppError("not_found", "Task not found");
  const squad = await findSquad(db, { organizationId: scope.organizationId, squadId: task.squadId });
  if (!squad) throw new AppError("not_found", "The task's squad no longer exists");
  const { rules } = parseSquadPolicy(squad.policy);
  const decision = strictest(facts.map((f) => evaluatePolicy({ autonomy: squad.autonomy, rules }, f)));
  await appendTaskEvent(db, {
    ...scope,
    type: "policy",
    actor: "system",
    message: `Policy: ${decision.action.replace("_", " ")} ${verdicts[decision.decision]} — ${decision.reason}`,
    data: {
      action: decision.action,
      decision: decision.decision,
      reason: decision.reason,
      ruleId: decision.ruleId,
      autonomy: squad.autonomy,
      facts: facts.map((f) => ({ action: f.action, files: f.paths?.length, diffLines: f.diffLines, projectedCostUsdMicros: f.projectedCostUsdMicros, ...(f.tool ? { tool: f.tool } : {}) })),
    },
    dedupeKey: `${runId}:policy:${key}`,
  });
  return decision;
}
