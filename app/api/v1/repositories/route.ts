import { withTenant } from "@/db/tenant";
import { asc, eq } from "drizzle-orm";
import { getDb } from "@/db/client";
import { repositories } from "@/db/schema";
import { parseJsonBody, withContext } from "@/lib/api/handler";
import { createRepository, createRepositoryInputSchema, webhookUrlFor } from "@/lib/repositories/create-repository";

export const dynamic = "force-dynamic";

/** `GET /api/v1/repositories` → the organization's repositories, oldest first, with their webhook URL (never the secret). */
export const GET = withContext(
  async (_req, ctx) => {
    const rows = await withTenant(getDb(), ctx.organizationId, (tx) =>
      tx
        .select({
          id: repositories.id,
          name: repositories.name,
          localPath: repositories.localPath,
          githubFullName: repositories.githubFullName,
          defaultBranch: repositories.defaultBranch,
          testCommand: repositories.testCommand,
          createdAt: repositories.createdAt,
        })
        .from(repositories)
        .where(eq(repositories.organizationId, ctx.organizationId))
        .orderBy(asc(repositories.createdAt)),
    );
    return Response.json(rows.map((r) => ({ ...r, createdAt: r.createdAt.toISOString(), webhookUrl: webhookUrlFor(r.id) })));
  },
  { requires: { repository: ["read"] } },
);

/** `POST /api/v1/repositories` → 201 with `id`, `webhookUrl` and (only now) `webhookSecret`. */
export const POST = withContext(
  async (req, ctx) => {
    const input = await parseJsonBody(req, createRepositoryInputSchema);
    const repository = await createRepository(getDb(), ctx.organizationId, input);
    return Response.json(repository, { status: 201, headers: { "Cache-Control": "no-store" } });
  },
  { requires: { repository: ["create"] } },
);
