import { getDb } from "@/db/client";
import { parseIdParam, parseJsonBody, withContext } from "@/lib/api/handler";
import { cancelTaskByPerson } from "@/lib/tasks/cancel-task";
import { cancelTaskInputSchema } from "@/lib/tasks/schemas";
import { serializeTask } from "@/lib/tasks/serialize";

export const dynamic = "force-dynamic";

/**
 * `POST /api/v1/tasks/{id}/cancel` `{ reason? }` → the task, now `cancelled`; its run stops between
 * steps. 409 when it already completed or failed; repeating it on a cancelled task is harmless.
 */
export const POST = withContext<{ id: string }>(
  async (req, ctx, params) => {
    const taskId = parseIdParam(params.id, "Task");
    const input = await parseJsonBody(req, cancelTaskInputSchema);
    const task = await cancelTaskByPerson(getDb(), { organizationId: ctx.organizationId, taskId, user: ctx.user }, input);
    return Response.json(serializeTask(task));
  },
  { requires: { task: ["cancel"] } },
);
