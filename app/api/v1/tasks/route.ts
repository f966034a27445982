import { withTenant } from "@/db/tenant";
import { getDb } from "@/db/client";
import { parseJsonBody, parseQuery, withContext } from "@/lib/api/handler";
import { createTask } from "@/lib/tasks/create-task";
import { listTaskPage } from "@/lib/tasks/list-tasks";
import { createTaskInputSchema, listTasksQuerySchema } from "@/lib/tasks/schemas";
import { serializeTask } from "@/lib/tasks/serialize";

export const dynamic = "force-dynamic";

/**
 * `GET /api/v1/tasks?limit=&cursor=&status=&outcome=&source=&squadId=&repositoryId=` → `{ items, nextCursor }`: the
 * organization's tasks, newest first. `status`, `outcome` and `source` take comma-separated lists; pass
 * `nextCursor` as `cursor` for the next page (null on the last page).
 */
export const GET = withContext(
  async (req, ctx) => {
    const query = parseQuery(req, listTasksQuerySchema);
    const page = await withTenant(getDb(), ctx.organizationId, (tx) => listTaskPage(tx, { organizationId: ctx.organizationId, query }));
    return Response.json(page);
  },
  { requires: { task: ["read"] } },
);

/**
 * `POST /api/v1/tasks` `{ title, description?, squadId?, repositoryId?, budgetUsdMicros? }` → 201 with the
 * queued task; a squad or repository of another organization is a 404.
 */
export const POST = withContext(
  async (req, ctx) => {
    const input = await parseJsonBody(req, createTaskInputSchema);
    const source = req.headers.get("x-squadron-client") === "cli" ? "cli" : ctx.apiKeyId ? "api" : req.headers.get("cookie") ? "web" : "api";
    const task = await createTask(getDb(), input, { organizationId: ctx.organizationId, userId: ctx.userId, source });
    return Response.json(serializeTask(task), { status: 201, headers: { Location: `/api/v1/tasks/${task.id}` } });
  },
  { requires: { task: ["create"] } },
);
