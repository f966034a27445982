import { getDb } from "@/db/client";
import { observeRequest } from "@/lib/observability/http";
import { errorResponse } from "@/lib/api/handler";
import { readWebhookBody } from "@/lib/api/webhook-guard";
import { AppError } from "@/lib/errors";
import { receiveGithubAppWebhook } from "@/lib/integrations/github/receive-webhook";
import { z } from "zod";

export const dynamic = "force-dynamic";

/**
 * `POST /api/webhooks/github/app/{connectionId}`: the GitHub App's webhook. 202 accepted (or refused by the plan / ignored /
 * duplicate, said in the body), 401 bad signature, 400 malformed, 404 unknown app connection.
 * Nothing is stored when rejected.
 */
export async function POST(req: Request, args: { params: Promise<{ connectionId: string }> }): Promise<Response> {
  return observeRequest(req, { webhookSource: "github-app" }, async () => {
    try {
      const { connectionId } = await args.params;
      if (!z.uuid().safeParse(connectionId).success) throw new AppError("not_found", "GitHub App connection not found");
      const rawBody = await readWebhookBody(req, "github-app", connectionId);
      const result = await receiveGithubAppWebhook(getDb(), { connectionId, rawBody, headers: req.headers });
      return Response.json(result, { status: 202 });
    } catch (error) {
      return errorResponse(error);
    }
  });
}
