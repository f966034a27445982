import { getDb } from "@/db/client";
import { updateTask } from "@/db/queries/tasks";
import { appendTaskEvent } from "@/lib/events/append-task-event";
import { formatUsd } from "./usd";

/**
 * Sets the task's budget to `budgetUsdMicros` after a person approved going over it (idempotent: a
 * set, not an increment, so every branch waiting on the same approval sets the same value).
 */
export async function raiseTaskBudget(
  scope: { organizationId: string; taskId: string },
  runId: string,
  input: { key: string; budgetUsdMicros: number; by: string | null },
): Promise<number> {
  await getDb().transaction(async (tx) => {
    await updateTask(tx, scope, { budgetUsdMicros: input.budgetUsdMicros });
    await appendTaskEvent(tx, {
      ...scope,
      type: "message",
      actor: "system",
      message: `Task budget raised to ${formatUsd(input.budgetUsdMicros)}${input.by ? ` with ${input.by}'s approval` : ""}`,
      data: { budgetUsdMicros: input.budgetUsdMicros },
      dedupeKey: `${runId}:${input.key}:raised`,
    });
  });
  return input.budgetUsdMicros;
}
