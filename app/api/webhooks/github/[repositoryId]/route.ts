import { getDb } from "@/db/client";
import { errorResponse, MAX_JSON_BODY_BYTES } from "@/lib/api/handler";
import { AppError } from "@/lib/errors";
import { receiveGithubWebhook } from "@/lib/integrations/github/receive-webhook";
import { z } from "zod";

export const dynamic = "force-dynamic";

/**
 * `POST /api/webhooks/github/{repositoryId}`: 202 accepted (or ignored / duplicate, said in the body),
 * 401 bad signature, 400 malformed, 404 unknown repository. Nothing is stored when rejected.
 */
export async function POST(req: Request, args: { params: Promise<{ repositoryId: string }> }): Promise<Response> {
  try {
    const { repositoryId } = await args.params;
    if (!z.uuid().safeParse(repositoryId).success) throw new AppError("not_found", "Repository not found");
    const rawBody = await req.text();
    if (Buffer.byteLength(rawBody) > MAX_JSON_BODY_BYTES * 25) {
      throw new AppError("payload_too_large", "Webhook payload too large");
    }
    const result = await receiveGithubWebhook(getDb(), { repositoryId, rawBody, headers: req.headers });
    return Response.json(result, { status: 202 });
  } catch (error) {
    return errorResponse(error);
  }
}
