import { getDb } from "@/db/client";
import { parseIdParam, withContext } from "@/lib/api/handler";
import { retryTask } from "@/lib/tasks/retry-task";
import { serializeTask } from "@/lib/tasks/serialize";

export const dynamic = "force-dynamic";

/**
 * `POST /api/v1/tasks/{id}/retry` → 202 with the queued task and `retried` (plan keys of the
 * subtasks that run again). Only the failed, blocked or unfinished subtasks of a failed or cancelled
 * task run again; 409 for any other task.
 */
export const POST = withContext<{ id: string }>(async (_req, ctx, params) => {
  const taskId = parseIdParam(params.id, "Task");
  const { task, retried } = await retryTask(getDb(), { organizationId: ctx.organizationId, taskId, userName: ctx.user.name });
  return Response.json({ ...serializeTask(task), retried }, { status: 202 });
}, { requires: { task: ["retry"] } });
