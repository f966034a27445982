import { getDb } from "@/db/client";
import { observeRequest } from "@/lib/observability/http";
import { errorResponse, MAX_JSON_BODY_BYTES } from "@/lib/api/handler";
import { readWebhookBody } from "@/lib/api/webhook-guard";
import { receiveStripeWebhook } from "@/lib/billing/receive-stripe-webhook";
import { AppError } from "@/lib/errors";

export const dynamic = "force-dynamic";

/**
 * `POST /api/webhooks/stripe`: Stripe's webhook endpoint. 200 `{ received, eventId, type, duplicate }`
 * once the event is verified and recorded; 400 for a missing or bad `Stripe-Signature` (nothing stored);
 * 503 when the workflow engine is unreachable (Stripe retries).
 */
export async function POST(req: Request): Promise<Response> {
  return observeRequest(req, { webhookSource: "stripe" }, async () => {
    try {
      // The signature covers the exact bytes: read the raw body, never re-serialised JSON.
      const rawBody = await readWebhookBody(req, "stripe", "global", MAX_JSON_BODY_BYTES);
      const result = await receiveStripeWebhook(getDb(), { rawBody, signature: req.headers.get("stripe-signature") });
      return Response.json(result, { status: 200 });
    } catch (error) {
      return errorResponse(error);
    }
  });
}
