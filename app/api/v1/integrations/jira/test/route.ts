import { getDb } from "@/db/client";
import { withContext } from "@/lib/api/handler";
import { testJiraConnection } from "@/lib/integrations/jira/connection";

export const dynamic = "force-dynamic";

/** `POST /api/v1/integrations/jira/test` → `{ ok, accountId?, displayName?, message? }`: the stored credentials against the site (`/myself`). */
export const POST = withContext(async (_req, ctx) => Response.json(await testJiraConnection(getDb(), ctx.organizationId)), {
  requires: { organization: ["update"] },
});
