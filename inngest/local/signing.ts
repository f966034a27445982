/**
 * Request signing as Inngest does it (checked against `inngest` 4.24.0, `helpers/net.js` and
 * `InngestCommHandler.validateSignature`):
 *
 * - `X-Inngest-Signature: t=<unix seconds>&s=<hex HMAC-SHA256>` where the HMAC key is the UTF-8 text
 *   of the signing key without its `signkey-<env>-` prefix, and the message is the JCS (RFC 8785)
 *   canonical JSON of the body followed by `t`. The SDK re-parses the body and canonicalizes it
 *   before checking, so the executor signs and sends the canonical form.
 * - The SDK rejects signatures older or newer than 5 minutes, and answers `401 {"message":"Unauthorized"}`.
 * - The SDK signs its answer the same way, over the raw response body (a string), with the key that
 *   verified the request.
 * - Towards the server, the SDK authenticates with `Authorization: Bearer <hashed key>`: the prefix
 *   kept, the rest replaced by the hex SHA-256 of the key's hex-decoded bytes.
 */
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import canonicalize from "canonicalize";

/** How far a signature's timestamp may be from now, like the SDK's check. */
export const SIGNATURE_MAX_AGE_MS = 5 * 60 * 1000;

const PREFIX = /^signkey-\w+-/;

/** The key without its `signkey-<env>-` prefix. */
export function removeSigningKeyPrefix(key: string): string {
  return key.replace(PREFIX, "");
}

/**
 * Checks that a signing key has the shape the SDK can use (hex after the optional prefix).
 * @returns `null` when it does, else what is wrong
 */
export function signingKeyProblem(key: string): string | null {
  const bare = removeSigningKeyPrefix(key);
  if (bare.length === 0) return "the signing key is empty";
  if (!/^[0-9a-fA-F]+$/.test(bare) || bare.length % 2 !== 0) {
    return "the signing key must be hex (optionally prefixed with signkey-<env>-), as Inngest signing keys are";
  }
  return null;
}

/** The bearer token the SDK sends to the server: prefix + hex SHA-256 of the key's bytes. */
export function hashSigningKey(key: string): string {
  const prefix = PREFIX.exec(key)?.[0] ?? "";
  return prefix + createHash("sha256").update(Buffer.from(removeSigningKeyPrefix(key), "hex")).digest("hex");
}

/** JCS (RFC 8785) canonical JSON of a JSON value. */
export function canonicalJson(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new Error("cannot canonicalize a value that is not JSON");
  return text;
}

function hmacHex(key: string, message: string): string {
  return createHmac("sha256", removeSigningKeyPrefix(key)).update(message, "utf8").digest("hex");
}

/**
 * Signs a body that is sent exactly as given (already canonical, or empty).
 * @param nowMs epoch milliseconds (the header carries seconds)
 * @returns the `X-Inngest-Signature` header value
 */
export function signBody(key: string, body: string, nowMs: number = Date.now()): string {
  const t = String(Math.round(nowMs / 1000));
  return `t=${t}&s=${hmacHex(key, body + t)}`;
}

/**
 * Verifies an `X-Inngest-Signature` header over a raw body against any of `keys`.
 * @returns `null` when valid, else why not
 */
export function verifySignature(header: string, body: string, keys: string[], nowMs: number = Date.now()): string | null {
  const params = new URLSearchParams(header);
  const t = params.get("t") ?? "";
  const s = params.get("s") ?? "";
  if (!t || !s) return "malformed signature header";
  const ts = Number.parseInt(t, 10);
  if (!Number.isFinite(ts) || Math.abs(nowMs - ts * 1000) > SIGNATURE_MAX_AGE_MS) return "signature has expired";
  const given = Buffer.from(s, "utf8");
  for (const key of keys) {
    const expected = Buffer.from(hmacHex(key, body + t), "utf8");
    if (expected.length === given.length && timingSafeEqual(expected, given)) return null;
  }
  return "signature does not match the signing key";
}

/**
 * Checks an `Authorization` header from the SDK against the hashed signing keys.
 * @returns `true` when it carries `Bearer <hashed key>` of one of `keys`
 */
export function bearerMatches(authorization: string | undefined, keys: string[]): boolean {
  const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? "");
  if (!match?.[1]) return false;
  const given = Buffer.from(match[1], "utf8");
  return keys.some((key) => {
    const expected = Buffer.from(hashSigningKey(key), "utf8");
    return expected.length === given.length && timingSafeEqual(expected, given);
  });
}
