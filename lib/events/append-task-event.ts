import { sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { taskEvents, type TaskEventType } from "@/db/schema";
import { currentTraceId } from "@/lib/observability/tracing";
import { TASK_EVENTS_CHANNEL, wakeTask } from "./bus";

export type AppendTaskEventInput = {
  organizationId: string;
  taskId: string;
  type: TaskEventType;
  /** `system`, `user`, or an agent role. */
  actor: string;
  message: string;
  data?: Record<string, unknown>;
  /** Makes the append idempotent: a replayed step with the same key adds nothing. */
  dedupeKey?: string;
};

/**
 * Appends one row to the task's event log and wakes its live streams (in-process and via NOTIFY).
 * While a trace is recorded (OpenTelemetry on), `data.traceId` names it, so support can go from a
 * timeline entry to the trace of the request or workflow step that wrote it.
 * @returns the new event id, or null when `dedupeKey` was already used
 */
export async function appendTaskEvent(db: DbOrTx, input: AppendTaskEventInput): Promise<number | null> {
  const traceId = currentTraceId();
  const [row] = await db
    .insert(taskEvents)
    .values({
      organizationId: input.organizationId,
      taskId: input.taskId,
      type: input.type,
      actor: input.actor,
      message: input.message,
      data: traceId ? { ...input.data, traceId } : input.data,
      dedupeKey: input.dedupeKey,
    })
    .onConflictDoNothing()
    .returning({ id: taskEvents.id });
  if (!row) return null;
  await db.execute(sql`select pg_notify(${TASK_EVENTS_CHANNEL}, ${input.taskId})`);
  wakeTask(input.taskId);
  return row.id;
}
