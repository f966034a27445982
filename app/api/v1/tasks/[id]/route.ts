import { withTenant } from "@/db/tenant";
import { getDb } from "@/db/client";
import { parseIdParam, withContext } from "@/lib/api/handler";
import { getTaskDetail } from "@/lib/tasks/get-task-detail";

export const dynamic = "force-dynamic";

/** `GET /api/v1/tasks/{id}` → the task with subtasks, artifacts and usage. */
export const GET = withContext<{ id: string }>(async (_req, ctx, params) => {
  const taskId = parseIdParam(params.id, "Task");
  return Response.json(await withTenant(getDb(), ctx.organizationId, (tx) => getTaskDetail(tx, { organizationId: ctx.organizationId, taskId })));
}, { requires: { task: ["read"] } });
