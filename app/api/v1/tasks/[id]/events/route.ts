import { withTenant } from "@/db/tenant";
import { getDb, getSql } from "@/db/client";
import { findTask } from "@/db/queries/tasks";
import { parseIdParam, withContext } from "@/lib/api/handler";
import { notFound } from "@/lib/errors";
import { taskEventStream } from "@/lib/events/task-event-stream";

export const dynamic = "force-dynamic";
export const maxDuration = 300;

/**
 * `GET /api/v1/tasks/{id}/events` → Server-Sent Events of the task's timeline. `id:` is the event id;
 * reconnecting with `Last-Event-ID` (or `?after=<id>`) resumes right after it.
 */
export const GET = withContext<{ id: string }>(async (req, ctx, params) => {
  const taskId = parseIdParam(params.id, "Task");
  const db = getDb();
  if (!(await withTenant(db, ctx.organizationId, (tx) => findTask(tx, { organizationId: ctx.organizationId, taskId })))) throw notFound("Task");
  const resumeFrom = req.headers.get("last-event-id") ?? new URL(req.url).searchParams.get("after") ?? "0";
  const afterId = /^\d{1,18}$/.test(resumeFrom) ? Number(resumeFrom) : 0;
  const body = taskEventStream(db, getSql(), { organizationId: ctx.organizationId, taskId, afterId, signal: req.signal });
  return new Response(body, {
    headers: {
      "Content-Type": "text/event-stream; charset=utf-8",
      "Cache-Control": "no-cache, no-transform",
      Connection: "keep-alive",
      "X-Accel-Buffering": "no",
    },
  });
}, { requires: { task: ["read"] } });
