import { sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { countBillableTasks, insertRefusal } from "@/db/queries/billing";
import { updateTask, type TaskRow } from "@/db/queries/tasks";
import type { TaskSource } from "@/db/schema";
import { appendTaskEvent } from "@/lib/events/append-task-event";
import { AppError } from "@/lib/errors";
import { getBillingState, type BillingState } from "./billing-state";

/** Details of a refusal, as sent in `error.details` of the 402. */
export type QuotaRefusalDetails = {
  plan: string;
  /** `tasksPerMonth`, `repositories`, or `subscription` for a restricted subscription. */
  quota: "tasksPerMonth" | "repositories" | "subscription";
  limit: number | null;
  usage: number;
  /** When the quota window ends (ISO-8601): the next period starts then. */
  resetsAt: string;
};

/**
 * The typed refusal of new work: `quota_exceeded` (the plan's tasks per month are used up) or
 * `payment_required` (the subscription is restricted after a failed payment), both HTTP 402.
 */
export class QuotaExceededError extends AppError {
  constructor(
    code: "quota_exceeded" | "payment_required",
    message: string,
    readonly refusal: QuotaRefusalDetails,
  ) {
    super(code, message, refusal);
    this.name = "QuotaExceededError";
  }
}

/** Sources where a person is waiting for the answer: a refusal is an error for them to read. */
const interactiveSources: readonly TaskSource[] = ["web", "api", "cli"];

/**
 * Checks whether the organization may start one more task now.
 * @returns null when it may, else the refusal (not thrown)
 */
export async function checkTaskQuota(db: DbOrTx, organizationId: string, opts: { excludeTaskId?: string; now?: Date } = {}): Promise<QuotaExceededError | null> {
  const state = await getBillingState(db, organizationId, opts.now);
  return refusalOf(state, await countBillableTasks(db, { organizationId, from: state.periodStart, to: state.periodEnd, excludeTaskId: opts.excludeTaskId }));
}

function refusalOf(state: BillingState, usage: number): QuotaExceededError | null {
  const resetsAt = state.periodEnd.toISOString();
  const limit = state.plan.limits.tasksPerMonth;
  if (state.status === "restricted") {
    return new QuotaExceededError(
      "payment_required",
      `New tasks are paused: the last payment for the ${state.plan.name} plan failed and the grace period ended${state.graceEndsAt ? ` on ${state.graceEndsAt.toISOString().slice(0, 10)}` : ""}. Update the payment method under Settings → Billing (running tasks finish).`,
      { plan: state.plan.id, quota: "subscription", limit, usage, resetsAt },
    );
  }
  if (limit !== null && usage >= limit) {
    return new QuotaExceededError(
      "quota_exceeded",
      `The ${state.plan.name} plan allows ${limit} tasks per billing period and ${usage} were created; the quota resets on ${resetsAt.slice(0, 10)}. Upgrade under Settings → Billing to create more now.`,
      { plan: state.plan.id, quota: "tasksPerMonth", limit, usage, resetsAt },
    );
  }
  return null;
}

/**
 * The plan's quota at task creation, called by `insertQueuedTask` right after it inserts `task`, inside
 * the same transaction (so every entry point — UI, API, CLI, GitHub, Jira — passes here).
 * Serialised per organization (`pg_advisory_xact_lock`), so concurrent creations cannot both take the
 * last task of the quota.
 *
 * @returns the task unchanged when allowed; for a webhook-born task (GitHub, Jira) over the quota, the
 *   task stored `failed` with the refusal as its error, a timeline entry and a `billing_refusals` row
 *   (it is not run, and does not count against the quota)
 * @throws QuotaExceededError (402, `quota_exceeded` / `payment_required`, details `{ plan, quota,
 *   limit, usage, resetsAt }`) for web, API and CLI tasks; the transaction then rolls back, nothing stored
 */
export async function enforceTaskQuota(tx: DbOrTx, task: TaskRow): Promise<TaskRow> {
  if (task.parentTaskId) return task;
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`squadron-task-quota:${task.organizationId}`}))`);
  const refusal = await checkTaskQuota(tx, task.organizationId, { excludeTaskId: task.id });
  if (!refusal) return task;
  if (interactiveSources.includes(task.source)) throw refusal;
  const scope = { organizationId: task.organizationId, taskId: task.id };
  const reason = `Refused (${refusal.code}): ${refusal.message}`;
  const updated = await updateTask(tx, scope, { status: "failed", outcome: "failed", error: reason, completedAt: new Date() });
  await appendTaskEvent(tx, {
    ...scope,
    type: "status",
    actor: "system",
    message: reason,
    data: { status: "failed", refused: refusal.code, ...refusal.refusal },
  });
  await insertRefusal(tx, { ...scope, code: refusal.code, reason: refusal.message, details: refusal.refusal });
  return updated ?? task;
}
