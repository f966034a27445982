import { getDb } from "@/db/client";
import { withTenant } from "@/db/tenant";
import { parseQuery, withContext } from "@/lib/api/handler";
import { listLessonJson } from "@/lib/lessons/manage-lessons";
import { listLessonsQuerySchema } from "@/lib/lessons/schemas";

export const dynamic = "force-dynamic";

/** `GET /api/v1/lessons?repositoryId=&role=` → the organization's lessons, newest first, each with its source. */
export const GET = withContext(
  async (req, ctx) => {
    const query = parseQuery(req, listLessonsQuerySchema);
    const items = await withTenant(getDb(), ctx.organizationId, (tx) => listLessonJson(tx, { organizationId: ctx.organizationId, ...query }));
    return Response.json({ items });
  },
  { requires: { repository: ["read"] } },
);
