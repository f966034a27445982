import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * Jira Cloud signs admin webhooks that have a secret with HMAC-SHA256 over the raw request body,
 * keyed by that secret, and sends it as `X-Hub-Signature: sha256=<hex digest>` (the WebSub
 * `method=signature` form; Atlassian's "Secure admin webhooks" documentation). No timestamp is
 * signed, so replay protection comes from recording each `X-Atlassian-Webhook-Identifier` once.
 */
export const JIRA_SIGNATURE_HEADER = "x-hub-signature";

/**
 * `sha256=<hex>` for `rawBody` under `secret` — what Jira puts in `X-Hub-Signature` (tests sign
 * stand-in deliveries with it).
 */
export function signJiraPayload(rawBody: string, secret: string): string {
  return `sha256=${createHmac("sha256", secret).update(rawBody, "utf8").digest("hex")}`;
}

/**
 * Checks an `X-Hub-Signature` header against the raw body in constant time.
 * @param rawBody the request body exactly as received (never re-serialised JSON)
 * @param header the header's value, or null when it is missing
 * @returns true only for `sha256=<64 hex digits>` matching the body under `secret`
 */
export function verifyJiraSignature(rawBody: string, header: string | null, secret: string): boolean {
  if (!header) return false;
  const match = /^sha256=([0-9a-fA-F]{64})$/.exec(header.trim());
  if (!match) return false;
  const given = Buffer.from(match[1].toLowerCase(), "hex");
  const expected = createHmac("sha256", secret).update(rawBody, "utf8").digest();
  return given.length === expected.length && timingSafeEqual(given, expected);
}
