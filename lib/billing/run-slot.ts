import { sql } from "drizzle-orm";
import { getDb } from "@/db/client";
import { countActiveRuns } from "@/db/queries/billing";
import { findTask, updateTask } from "@/db/queries/tasks";
import { taskCompleted } from "@/inngest/events";
import type { WorkflowSteps } from "@/lib/agents/steps";
import { appendTaskEvent } from "@/lib/events/append-task-event";
import { getBillingState } from "./billing-state";

type Scope = { organizationId: string; taskId: string };

/** A claim's answer: the run may start, or it waits (`running` of `limit` slots of `plan` are taken). */
export type RunSlot = { granted: true } | { granted: false; plan: string; limit: number; running: number };

/**
 * How long a waiting run sleeps before it looks again even without a `squad/task.completed` of its
 * organization (a run that stops for a person's approval frees its slot without that event), in the
 * Inngest duration format.
 */
export const RUN_SLOT_RECHECK = "30s";

/**
 * Takes one of the plan's concurrent-run slots (`limits.concurrentRuns` of `lib/billing/plans.ts`)
 * for the task's run. Serialised per organization (`pg_advisory_xact_lock`), and a granted task is
 * marked `planning` in the same transaction, so two runs starting at once cannot both take the last
 * slot. Unlimited plans (self-hosted, billing off) are always granted; so are subtasks and a task
 * that already holds a slot (a replay after a crash).
 *
 * When no slot is free the task stays `queued` and its timeline says, once per run (`runId`), that
 * it is waiting for a free run slot and how many of how many are in use.
 * @returns {@link RunSlot}
 */
export async function claimRunSlot(scope: Scope, runId: string): Promise<RunSlot> {
  return getDb().transaction(async (tx) => {
    const task = await findTask(tx, scope);
    if (!task || task.parentTaskId) return { granted: true } as const;
    const state = await getBillingState(tx, scope.organizationId);
    const limit = state.plan.limits.concurrentRuns;
    if (limit === null) return { granted: true } as const;
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`squadron-run-slots:${scope.organizationId}`}))`);
    const running = await countActiveRuns(tx, { organizationId: scope.organizationId, excludeTaskId: scope.taskId });
    if (running < limit) {
      if (task.status === "queued") await updateTask(tx, scope, { status: "planning" });
      return { granted: true } as const;
    }
    await appendTaskEvent(tx, {
      ...scope,
      type: "status",
      actor: "system",
      message: `Waiting for a free run slot: the ${state.plan.name} plan runs ${limit} task${limit === 1 ? "" : "s"} at a time and ${running} ${running === 1 ? "is" : "are"} running. It starts when one ends (upgrade under Settings → Billing for more).`,
      data: { status: task.status, waitingForRunSlot: true, plan: state.plan.id, limit, running },
      dedupeKey: `${runId}:run-slot-wait`,
    });
    return { granted: false, plan: state.plan.id, limit, running } as const;
  });
}

/**
 * The first steps of a run: claims a run slot ({@link claimRunSlot}) and, while none is free, waits
 * for a run of the same organization to end (`squad/task.completed`) or {@link RUN_SLOT_RECHECK},
 * then claims again. Steps `run-slot/<n>` and `run-slot/<n>/wait`. Waiting runs are not ordered:
 * whichever claims first after a slot frees takes it.
 */
export async function waitForRunSlot(steps: WorkflowSteps, scope: Scope, runId: string): Promise<void> {
  for (let n = 0; ; n++) {
    const slot = await steps.run(`run-slot/${n}`, () => claimRunSlot(scope, runId));
    if (slot.granted) return;
    await steps.waitForEvent(`run-slot/${n}/wait`, {
      event: taskCompleted.name,
      if: `async.data.organizationId == ${JSON.stringify(scope.organizationId)}`,
      timeout: RUN_SLOT_RECHECK,
    });
  }
}
