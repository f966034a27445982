import { getDb } from "@/db/client";
import { withContext } from "@/lib/api/handler";
import { AppError } from "@/lib/errors";
import { removeGithubConnection } from "@/lib/integrations/github/connections";
import { z } from "zod";

export const dynamic = "force-dynamic";

/** `DELETE /api/v1/integrations/github/connections/{id}` → 204; another organization's connection is a 404. */
export const DELETE = withContext<{ id: string }>(
  async (_req, ctx, { id }) => {
    if (!z.uuid().safeParse(id).success) throw new AppError("not_found", "GitHub connection not found");
    await removeGithubConnection(getDb(), { organizationId: ctx.organizationId, connectionId: id, actor: { userId: ctx.userId, apiKeyId: ctx.apiKeyId } });
    return new Response(null, { status: 204 });
  },
  { requires: { repository: ["update"] } },
);
