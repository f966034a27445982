import { getDb } from "@/db/client";
import { withTenant } from "@/db/tenant";
import { withContext } from "@/lib/api/handler";
import { getGithubIntegration } from "@/lib/integrations/github/connections";

export const dynamic = "force-dynamic";

/**
 * `GET /api/v1/integrations/github` → `GITHUB_API_URL`, whether `GITHUB_TOKEN` is set, the
 * organization's connections (never a secret) and its GitHub repositories with what reaches them.
 */
export const GET = withContext(
  async (_req, ctx) =>
    Response.json(await withTenant(getDb(), ctx.organizationId, (tx) => getGithubIntegration(tx, { organizationId: ctx.organizationId }))),
  { requires: { repository: ["read"] } },
);
