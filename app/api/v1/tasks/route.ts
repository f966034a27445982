import { withTenant } from "@/db/tenant";
import { getDb } from "@/db/client";
import { listTasksPage } from "@/db/queries/tasks";
import { parseJsonBody, parseQuery, withContext } from "@/lib/api/handler";
import { AppError } from "@/lib/errors";
import { createTask } from "@/lib/tasks/create-task";
import { createTaskInputSchema, listTasksQuerySchema } from "@/lib/tasks/schemas";
import { serializeTask } from "@/lib/tasks/serialize";

export const dynamic = "force-dynamic";

/** The opaque cursor of a page: the last task's id, base64url-encoded. */
const encodeCursor = (taskId: string) => Buffer.from(taskId, "utf8").toString("base64url");
function decodeCursor(cursor: string): string {
  const id = Buffer.from(cursor, "base64url").toString("utf8");
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) {
    throw new AppError("invalid_input", "Invalid query parameters: cursor: not a cursor this API returned", {
      issues: [{ path: "cursor", message: "not a cursor this API returned" }],
    });
  }
  return id;
}

/**
 * `GET /api/v1/tasks?limit=&cursor=&status=&source=&squadId=` → `{ items, nextCursor }`: the
 * organization's tasks, newest first. `status` and `source` take comma-separated lists; pass
 * `nextCursor` as `cursor` for the next page (null on the last page).
 */
export const GET = withContext(
  async (req, ctx) => {
    const query = parseQuery(req, listTasksQuerySchema);
    const rows = await withTenant(getDb(), ctx.organizationId, (tx) => listTasksPage(tx, {
      organizationId: ctx.organizationId,
      limit: query.limit + 1,
      afterId: query.cursor ? decodeCursor(query.cursor) : undefined,
      statuses: query.status,
      sources: query.source,
      squadId: query.squadId,
    }));
    const page = rows.slice(0, query.limit);
    const nextCursor = rows.length > query.limit ? encodeCursor(page[page.length - 1].id) : null;
    return Response.json({ items: page.map(serializeTask), nextCursor });
  },
  { requires: { task: ["read"] } },
);

/** `POST /api/v1/tasks` `{ title, description?, squadId? }` → 201 with the queued task. */
export const POST = withContext(
  async (req, ctx) => {
    const input = await parseJsonBody(req, createTaskInputSchema);
    const source = req.headers.get("x-squadron-client") === "cli" ? "cli" : ctx.apiKeyId ? "api" : req.headers.get("cookie") ? "web" : "api";
    const task = await createTask(getDb(), input, { organizationId: ctx.organizationId, userId: ctx.userId, source });
    return Response.json(serializeTask(task), { status: 201, headers: { Location: `/api/v1/tasks/${task.id}` } });
  },
  { requires: { task: ["create"] } },
);
