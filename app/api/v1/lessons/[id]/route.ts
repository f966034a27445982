import { getDb } from "@/db/client";
import { withTenant } from "@/db/tenant";
import { parseIdParam, parseJsonBody, withContext } from "@/lib/api/handler";
import { deleteLesson, getLessonOrThrow, updateLesson } from "@/lib/lessons/manage-lessons";
import { updateLessonInputSchema } from "@/lib/lessons/schemas";
import { serializeLesson } from "@/lib/lessons/serialize";

export const dynamic = "force-dynamic";

/** `GET /api/v1/lessons/{id}` → one lesson with its source (404 for another organization's). */
export const GET = withContext<{ id: string }>(
  async (_req, ctx, params) => {
    const lessonId = parseIdParam(params.id, "Lesson");
    const row = await withTenant(getDb(), ctx.organizationId, (tx) => getLessonOrThrow(tx, { organizationId: ctx.organizationId, lessonId }));
    return Response.json(serializeLesson(row));
  },
  { requires: { repository: ["read"] } },
);

/** `PATCH /api/v1/lessons/{id}` `{ statement }` → the updated lesson (re-indexed, audited). */
export const PATCH = withContext<{ id: string }>(
  async (req, ctx, params) => {
    const lessonId = parseIdParam(params.id, "Lesson");
    const input = await parseJsonBody(req, updateLessonInputSchema);
    const actor = { userId: ctx.userId, apiKeyId: ctx.apiKeyId };
    return Response.json(await updateLesson(getDb(), { organizationId: ctx.organizationId, lessonId, actor }, input));
  },
  { requires: { repository: ["update"] } },
);

/** `DELETE /api/v1/lessons/{id}` → 204; the lesson leaves every later brief and the knowledge index (audited). */
export const DELETE = withContext<{ id: string }>(
  async (_req, ctx, params) => {
    const lessonId = parseIdParam(params.id, "Lesson");
    await deleteLesson(getDb(), { organizationId: ctx.organizationId, lessonId, actor: { userId: ctx.userId, apiKeyId: ctx.apiKeyId } });
    return new Response(null, { status: 204 });
  },
  { requires: { repository: ["update"] } },
);
