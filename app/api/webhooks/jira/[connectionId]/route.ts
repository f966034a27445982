import { z } from "zod";
import { getDb } from "@/db/client";
import { observeRequest } from "@/lib/observability/http";
import { errorResponse } from "@/lib/api/handler";
import { readWebhookBody } from "@/lib/api/webhook-guard";
import { AppError } from "@/lib/errors";
import { receiveJiraWebhook } from "@/lib/integrations/jira/receive-webhook";

export const dynamic = "force-dynamic";

/**
 * `POST /api/webhooks/jira/{connectionId}` (Jira Cloud admin webhook, `jira:issue_created` /
 * `jira:issue_updated`): 202 accepted (or refused by the plan / ignored / duplicate, said in the body), 401 missing or bad
 * `X-Hub-Signature`, 400 malformed, 404 unknown connection. Nothing is stored when rejected.
 */
export async function POST(req: Request, args: { params: Promise<{ connectionId: string }> }): Promise<Response> {
  return observeRequest(req, { webhookSource: "jira" }, async () => {
    try {
      const { connectionId } = await args.params;
      if (!z.uuid().safeParse(connectionId).success) throw new AppError("not_found", "Jira connection not found");
      const rawBody = await readWebhookBody(req, "jira", connectionId);
      const result = await receiveJiraWebhook(getDb(), { connectionId, rawBody, headers: req.headers });
      return Response.json(result, { status: 202 });
    } catch (error) {
      return errorResponse(error);
    }
  });
}
