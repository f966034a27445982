import { and, asc, eq, sql } from "drizzle-orm";
import type { DbOrTx } from "../client";
import { taskDeliveries, type DeliveryChannelId } from "../schema";

type Scope = { organizationId: string };

export type TaskDeliveryRow = typeof taskDeliveries.$inferSelect;

/** The task's deliveries (one per channel), oldest channel first. */
export async function listTaskDeliveries(db: DbOrTx, q: Scope & { taskId: string }): Promise<TaskDeliveryRow[]> {
  return db
    .select()
    .from(taskDeliveries)
    .where(and(eq(taskDeliveries.organizationId, q.organizationId), eq(taskDeliveries.taskId, q.taskId)))
    .orderBy(asc(taskDeliveries.createdAt));
}

/** The task's delivery through `channel`, or undefined when the channel never delivered it. */
export async function findTaskDelivery(
  db: DbOrTx,
  q: Scope & { taskId: string; channel: DeliveryChannelId },
): Promise<TaskDeliveryRow | undefined> {
  const [row] = await db
    .select()
    .from(taskDeliveries)
    .where(
      and(
        eq(taskDeliveries.organizationId, q.organizationId),
        eq(taskDeliveries.taskId, q.taskId),
        eq(taskDeliveries.channel, q.channel),
      ),
    )
    .limit(1);
  return row;
}

/**
 * Inserts or updates the (task, channel) row. A `delivered` write counts one more delivery; a
 * `failed` write keeps the last good `url`/`externalId` when none is given, so a link never vanishes.
 */
export async function upsertTaskDelivery(
  db: DbOrTx,
  values: Scope & {
    taskId: string;
    channel: DeliveryChannelId;
    status: "delivered" | "failed";
    externalId?: string | null;
    url?: string | null;
    error?: string | null;
    data?: Record<string, unknown> | null;
  },
): Promise<TaskDeliveryRow> {
  const delivered = values.status === "delivered" ? 1 : 0;
  const [row] = await db
    .insert(taskDeliveries)
    .values({
      organizationId: values.organizationId,
      taskId: values.taskId,
      channel: values.channel,
      status: values.status,
      externalId: values.externalId ?? null,
      url: values.url ?? null,
      error: values.error ?? null,
      data: values.data ?? null,
      deliveries: delivered,
    })
    .onConflictDoUpdate({
      target: [taskDeliveries.taskId, taskDeliveries.channel],
      set: {
        status: values.status,
        error: values.error ?? null,
        ...(values.externalId != null ? { externalId: values.externalId } : {}),
        ...(values.url != null ? { url: values.url } : {}),
        ...(values.data != null ? { data: values.data } : {}),
        deliveries: sql`${taskDeliveries.deliveries} + ${delivered}`,
        updatedAt: new Date(),
      },
      // Tenancy: never touch another organization's row even if a task id collided.
      setWhere: eq(taskDeliveries.organizationId, values.organizationId),
    })
    .returning();
  return row;
}
