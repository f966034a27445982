import { eq } from "drizzle-orm";
import type { Database, DbOrTx } from "@/db/client";
import { findSquadForRepository } from "@/db/queries/squads";
import { findTaskByExternalRef, type TaskRow } from "@/db/queries/tasks";
import { webhookDeliveries, type TaskSource } from "@/db/schema";
import { dispatchTask, insertQueuedTask } from "@/lib/tasks/create-task";

/**
 * Generic ingestion of a verified webhook delivery, shared by every source (`github/`, `jira/`):
 * a source verifies the signature, parses its payload and maps it to a {@link DeliveryRecord} plus a
 * {@link TaskIntake}; this module records the delivery exactly once, finds or creates the task by
 * its external ref and dispatches the task workflow after the transaction commits.
 *
 * Nothing here knows a vendor's wire format. Delivery ids are unique per provider (the
 * `webhook_deliveries_provider_delivery_uq` index), so a redelivery is a no-op (`duplicate`).
 */

/** Identity of one webhook delivery as stored in `webhook_deliveries`. */
export type DeliveryRecord = {
  organizationId: string;
  /** Repository the delivery is about, when the source knows it (GitHub: always; Jira: the mapped one). */
  repositoryId: string | null;
  provider: "github" | "jira";
  /** The vendor's delivery id (`X-GitHub-Delivery`, Jira's `X-Atlassian-Webhook-Identifier`, …). */
  deliveryId: string;
  /** Event name, e.g. `issues`, `jira:issue_created`. */
  event: string;
  /** The event's action when it has one (`labeled`, `opened`, …), else null. */
  action: string | null;
};

/** What a delivery of a task-starting event asks for. */
export type TaskIntake = {
  /** Identity in the source system, e.g. `github:octo/repo#12` or `jira:<connection>:PROJ-7`; one task per ref. */
  externalRef: string;
  source: TaskSource;
  /** Title (cut to 200 characters) and Markdown description of the new task. */
  title: string;
  description: string;
  /** Repository to work on; defaults to `delivery.repositoryId`, then to the squad's own. */
  repositoryId?: string | null;
  /** Squad to assign; defaults to the squad of the repository, then the organization's default squad. */
  squadId?: string | null;
};

/**
 * Outcome of a delivery. `accepted`: a task was created and dispatched (or, for a follow-up, handed
 * over); `refused`: a task was recorded but the plan refused it (quota used up, subscription
 * restricted: `reason` says which, the task is stored `failed` with it and never runs); `ignored`: not
 * an event Squadron acts on, or the task already exists; `duplicate`: this delivery id was seen
 * before, nothing happened.
 */
export type IngestResult = {
  outcome: "accepted" | "refused" | "ignored" | "duplicate";
  deliveryId: string;
  taskId: string | null;
  reason?: string;
};

/**
 * Records a delivery Squadron does not act on (status `ignored`), once.
 * @returns `ignored` with the reason, or `duplicate` when the delivery id was already recorded
 */
export async function recordIgnoredDelivery(db: DbOrTx, delivery: DeliveryRecord, reason: string): Promise<IngestResult> {
  const [row] = await db
    .insert(webhookDeliveries)
    .values({ ...delivery, status: "ignored" })
    .onConflictDoNothing()
    .returning({ id: webhookDeliveries.id });
  return { outcome: row ? "ignored" : "duplicate", deliveryId: delivery.deliveryId, taskId: null, reason };
}

/**
 * Records the delivery (status `accepted`) and, in the same transaction, creates a queued task for
 * `intake.externalRef` unless one exists; after commit the new task is dispatched to the workflow
 * with event id `<provider>-delivery-<delivery id>` (so even a replayed send starts one run).
 *
 * @returns `accepted` with the new task's id; `refused` with the new task's id and the refusal as
 *   `reason` when the plan's quota refused it (`enforceTaskQuota` stored it failed; not dispatched);
 *   `ignored` with the existing task's id when a task for the ref exists; `duplicate` (task id null)
 *   when the delivery was recorded before
 * @throws AppError `not_found` when the organization has no squad to take the task (nothing is
 *   stored: the transaction rolls back); `unavailable` when the workflow engine cannot be reached
 *   (the task is then stored as `failed` with the reason, see `dispatchTask`)
 */
export async function ingestTaskDelivery(db: Database, delivery: DeliveryRecord, intake: TaskIntake): Promise<IngestResult> {
  const { organizationId } = delivery;
  const repositoryId = intake.repositoryId ?? delivery.repositoryId ?? undefined;
  const created = await db.transaction(async (tx) => {
    const deliveryRowId = await insertAcceptedDelivery(tx, delivery);
    if (!deliveryRowId) return { duplicate: true as const };
    const existing = await findTaskByExternalRef(tx, { organizationId, externalRef: intake.externalRef });
    if (existing) {
      await linkDeliveryToTask(tx, deliveryRowId, existing.id);
      return { duplicate: false as const, task: existing, isNew: false };
    }
    const squadId =
      intake.squadId ??
      (repositoryId ? (await findSquadForRepository(tx, { organizationId, repositoryId }))?.id : undefined);
    const task: TaskRow = await insertQueuedTask(
      tx,
      { title: intake.title.slice(0, 200), description: intake.description, squadId: squadId ?? undefined },
      { organizationId, source: intake.source, externalRef: intake.externalRef, repositoryId },
    );
    await linkDeliveryToTask(tx, deliveryRowId, task.id);
    return { duplicate: false as const, task, isNew: true };
  });
  if (created.duplicate) return { outcome: "duplicate", deliveryId: delivery.deliveryId, taskId: null };
  if (!created.isNew) {
    return {
      outcome: "ignored",
      deliveryId: delivery.deliveryId,
      taskId: created.task.id,
      reason: `A task already exists for ${intake.externalRef}`,
    };
  }
  // A queued task is the only kind insertQueuedTask returns besides one the quota refused (stored failed).
  if (created.task.status !== "queued") {
    return { outcome: "refused", deliveryId: delivery.deliveryId, taskId: created.task.id, reason: created.task.error ?? "Refused by the plan's quota" };
  }
  await dispatchTask(db, created.task, `${delivery.provider}-delivery-${delivery.deliveryId}`);
  return { outcome: "accepted", deliveryId: delivery.deliveryId, taskId: created.task.id };
}

/**
 * Records the delivery (status `accepted`) and runs `act` on the existing task — the one of the
 * external ref `target`, or the one the `target` function finds — in
 * the same transaction — the shape of a follow-up (a comment or review that asks an existing task to
 * run again). `act` returns what to do after commit (e.g. dispatch the follow-up run), or a reason to
 * ignore the delivery (then the delivery is stored `ignored`).
 *
 * @returns `accepted` with the task id, `ignored` (no task for the ref, or `act` declined),
 *   `duplicate` when the delivery was recorded before
 * @throws whatever `act` or `after` throw; an error in `act` rolls the delivery back (nothing stored)
 */
export async function ingestFollowUpDelivery(
  db: Database,
  delivery: DeliveryRecord,
  target: string | ((tx: DbOrTx) => Promise<TaskRow | undefined>),
  act: (tx: DbOrTx, task: TaskRow) => Promise<{ after: () => Promise<void> } | { ignore: string }>,
): Promise<IngestResult> {
  const { organizationId } = delivery;
  const outcome = await db.transaction(async (tx) => {
    const task =
      typeof target === "string" ? await findTaskByExternalRef(tx, { organizationId, externalRef: target }) : await target(tx);
    if (!task) {
      const ignored = await recordIgnoredDelivery(tx, delivery, `No Squadron task for ${typeof target === "string" ? target : "this item"}`);
      return { result: ignored };
    }
    const deliveryRowId = await insertAcceptedDelivery(tx, delivery);
    if (!deliveryRowId) return { result: { outcome: "duplicate", deliveryId: delivery.deliveryId, taskId: null } satisfies IngestResult };
    await linkDeliveryToTask(tx, deliveryRowId, task.id);
    const decision = await act(tx, task);
    if ("ignore" in decision) {
      await tx.update(webhookDeliveries).set({ status: "ignored" }).where(eq(webhookDeliveries.id, deliveryRowId));
      return { result: { outcome: "ignored", deliveryId: delivery.deliveryId, taskId: task.id, reason: decision.ignore } satisfies IngestResult };
    }
    return { result: { outcome: "accepted", deliveryId: delivery.deliveryId, taskId: task.id } satisfies IngestResult, after: decision.after };
  });
  if ("after" in outcome && outcome.after) await outcome.after();
  return outcome.result;
}

async function insertAcceptedDelivery(tx: DbOrTx, delivery: DeliveryRecord): Promise<string | null> {
  const [row] = await tx
    .insert(webhookDeliveries)
    .values({ ...delivery, status: "accepted" })
    .onConflictDoNothing()
    .returning({ id: webhookDeliveries.id });
  return row?.id ?? null;
}

async function linkDeliveryToTask(tx: DbOrTx, deliveryRowId: string, taskId: string): Promise<void> {
  await tx.update(webhookDeliveries).set({ taskId }).where(eq(webhookDeliveries.id, deliveryRowId));
}
