import { getDb } from "@/db/client";
import { listTasks } from "@/db/queries/tasks";
import { parseJsonBody, withContext } from "@/lib/api/handler";
import { createTask } from "@/lib/tasks/create-task";
import { createTaskInputSchema } from "@/lib/tasks/schemas";
import { serializeTask } from "@/lib/tasks/serialize";

export const dynamic = "force-dynamic";

/** `GET /api/v1/tasks` → the organization's tasks, newest first (JSON array). */
export const GET = withContext(async (_req, ctx) => {
  const rows = await listTasks(getDb(), { organizationId: ctx.organizationId, limit: 100 });
  return Response.json(rows.map(serializeTask));
});

/** `POST /api/v1/tasks` `{ title, description?, squadId? }` → 201 with the queued task. */
export const POST = withContext(async (req, ctx) => {
  const input = await parseJsonBody(req, createTaskInputSchema);
  const source = req.headers.get("x-squadron-client") === "cli" ? "cli" : req.headers.get("cookie") ? "web" : "api";
  const task = await createTask(getDb(), input, { organizationId: ctx.organizationId, userId: ctx.userId, source });
  return Response.json(serializeTask(task), { status: 201, headers: { Location: `/api/v1/tasks/${task.id}` } });
});
