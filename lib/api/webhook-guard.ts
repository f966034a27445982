import { getDb } from "@/db/client";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { consumeRateLimit } from "./rate-limit";

/** Largest webhook body accepted, bytes: GitHub caps its payloads at 25 MB (docs.github.com, "Webhook payload object"). */
export const MAX_WEBHOOK_BODY_BYTES = 25_000_000;

/**
 * The guard every inbound webhook route runs before verifying a signature: the body is capped (a
 * declared `Content-Length` over the cap is refused before anything is read, and the bytes read are
 * counted too) and the endpoint is rate-limited like the API — `API_RATE_LIMIT_PER_MINUTE` requests
 * per minute per endpoint (`webhook:<source>:<endpoint id>`), counted in Postgres so every instance
 * shares the count.
 *
 * @param source `github`, `github-app`, `jira`, `stripe`
 * @param endpointId the endpoint's own id (repository, connection) or `global`
 * @returns the raw body text (signatures cover the exact bytes)
 * @throws AppError `payload_too_large` (413), `rate_limited` (429 with `Retry-After`)
 */
export async function readWebhookBody(req: Request, source: string, endpointId: string, maxBytes = MAX_WEBHOOK_BODY_BYTES): Promise<string> {
  const tooLarge = () => new AppError("payload_too_large", `Webhook payload exceeds ${maxBytes} bytes.`);
  const declared = Number(req.headers.get("content-length") ?? "0");
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge();
  const limit = await consumeRateLimit(getDb(), `webhook:${source}:${endpointId}`, env.API_RATE_LIMIT_PER_MINUTE);
  if (!limit.allowed) {
    throw new AppError("rate_limited", `Too many webhook deliveries: the limit is ${limit.limit} per minute per endpoint. Retry in ${limit.resetSeconds} s.`, {
      retryAfterSeconds: limit.resetSeconds,
      limit: limit.limit,
    });
  }
  const rawBody = await req.text();
  if (Buffer.byteLength(rawBody) > maxBytes) throw tooLarge();
  return rawBody;
}
