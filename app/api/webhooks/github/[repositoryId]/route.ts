import { getDb } from "@/db/client";
import { observeRequest } from "@/lib/observability/http";
import { errorResponse } from "@/lib/api/handler";
import { readWebhookBody } from "@/lib/api/webhook-guard";
import { AppError } from "@/lib/errors";
import { receiveGithubWebhook } from "@/lib/integrations/github/receive-webhook";
import { z } from "zod";

export const dynamic = "force-dynamic";

/**
 * `POST /api/webhooks/github/{repositoryId}`: 202 accepted (or refused by the plan / ignored / duplicate, said in the body),
 * 401 bad signature, 400 malformed, 404 unknown repository. Nothing is stored when rejected.
 */
export async function POST(req: Request, args: { params: Promise<{ repositoryId: string }> }): Promise<Response> {
  return observeRequest(req, { webhookSource: "github" }, async () => {
    try {
      const { repositoryId } = await args.params;
      if (!z.uuid().safeParse(repositoryId).success) throw new AppError("not_found", "Repository not found");
      const rawBody = await readWebhookBody(req, "github", repositoryId);
      const result = await receiveGithubWebhook(getDb(), { repositoryId, rawBody, headers: req.headers });
      return Response.json(result, { status: 202 });
    } catch (error) {
      return errorResponse(error);
    }
  });
}
