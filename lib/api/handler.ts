import { randomUUID } from "node:crypto";
import { z } from "zod";
import { AppError, fromZodError, httpStatusOf } from "@/lib/errors";
import { getDb } from "@/db/client";
import { requirePermission, requireRequestContext, type RequestContext } from "@/lib/auth/session";
import type { Permissions } from "@/lib/auth/permissions";
import { env } from "@/lib/env";
import { trustedOrigins } from "@/lib/auth";
import { consumeRateLimit } from "./rate-limit";
import { addObservabilityContext, currentObservabilityContext } from "@/lib/observability/context";
import { componentLogger } from "@/lib/observability/logger";
import { observeRequest } from "@/lib/observability/http";

/** Largest JSON body a v1 route accepts, in bytes. */
export const MAX_JSON_BODY_BYTES = 1_000_000;

/** Renders an error as `{ error: { code, message, details? } }` with the status its code maps to. */
export function errorResponse(error: unknown): Response {
  if (error instanceof AppError) {
    const retryAfter = error.code === "rate_limited" ? retryAfterOf(error.details) : null;
    return Response.json(
      { error: { code: error.code, message: error.message, ...(error.details ? { details: error.details } : {}) } },
      { status: httpStatusOf(error.code), headers: retryAfter ? { "Retry-After": String(retryAfter) } : undefined },
    );
  }
  const requestId = currentObservabilityContext().requestId ?? randomUUID();
  componentLogger("api").error({ err: error, requestId }, "request failed");
  return Response.json(
    { error: { code: "internal", message: `Internal error (request id ${requestId}).` } },
    { status: 500 },
  );
}

/**
 * Reads and validates a JSON request body.
 * @throws AppError `bad_request` (not JSON), `payload_too_large`, `invalid_input` (schema, with field paths)
 */
export async function parseJsonBody<S extends z.ZodType>(req: Request, schema: S): Promise<z.output<S>> {
  const text = await req.text();
  if (Buffer.byteLength(text) > MAX_JSON_BODY_BYTES) {
    throw new AppError("payload_too_large", `Request body exceeds ${MAX_JSON_BODY_BYTES} bytes.`);
  }
  let json: unknown;
  try {
    json = text.length === 0 ? {} : JSON.parse(text);
  } catch {
    throw new AppError("bad_request", "Request body is not valid JSON.");
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw fromZodError(parsed.error);
  return parsed.data;
}

/** Validates a route parameter (e.g. an id) so a malformed one is a 404, not a database error. */
export function parseIdParam(value: string, what: string): string {
  const parsed = z.uuid().safeParse(value);
  if (!parsed.success) throw new AppError("not_found", `${what} not found`);
  return parsed.data;
}

function retryAfterOf(details: unknown): number | null {
  const d = z.object({ retryAfterSeconds: z.number().int().positive() }).safeParse(details);
  return d.success ? d.data.retryAfterSeconds : null;
}

/**
 * Parses a route's query string (`?a=1&b=2`; a repeated key keeps its last value).
 * @throws AppError `invalid_input` naming each bad parameter
 */
export function parseQuery<S extends z.ZodType>(req: Request, schema: S): z.output<S> {
  const parsed = schema.safeParse(Object.fromEntries(new URL(req.url).searchParams));
  if (!parsed.success) throw fromZodError(parsed.error, "query parameters");
  return parsed.data;
}

type RouteArgs<P> = { params: Promise<P> };

/**
 * Counts the request against the caller's per-minute limit (per API key, else per user).
 * @throws AppError `rate_limited` (429, `Retry-After`) beyond `API_RATE_LIMIT_PER_MINUTE`
 * @returns the `RateLimit-*` headers to send with the response
 */
async function enforceRateLimit(ctx: RequestContext): Promise<Record<string, string>> {
  const subject = ctx.apiKeyId ? `key:${ctx.apiKeyId}` : `user:${ctx.userId}`;
  const result = await consumeRateLimit(getDb(), subject, env.API_RATE_LIMIT_PER_MINUTE);
  if (result.limit === 0) return {};
  if (!result.allowed) {
    throw new AppError(
      "rate_limited",
      `Too many requests: the limit is ${result.limit} per minute per ${ctx.apiKeyId ? "API key" : "user"}. Retry in ${result.resetSeconds} s.`,
      { retryAfterSeconds: result.resetSeconds, limit: result.limit },
    );
  }
  return { "RateLimit-Limit": String(result.limit), "RateLimit-Remaining": String(result.remaining), "RateLimit-Reset": String(result.resetSeconds) };
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Cross-site request forgery check for cookie-authenticated mutations (an API key in `Authorization`
 * cannot be sent by another site, so those pass). A browser names the page that sent a request in
 * `Origin` (every non-GET fetch or form post) and `Sec-Fetch-Site`: a mutation whose `Origin` is not
 * one of the app's trusted origins (`APP_URL` and its loopback twin, the same list better-auth checks
 * for its own routes), or that the browser marks `cross-site`, is refused. Clients that send neither
 * header are not browsers and carry no ambient cookie risk.
 * @throws AppError `forbidden` naming the refused origin
 */
export function assertSameOrigin(req: Request, ctx: RequestContext): void {
  if (ctx.apiKeyId || SAFE_METHODS.has(req.method.toUpperCase())) return;
  const origin = req.headers.get("origin");
  // `Origin: null` is what sandboxed frames and some redirects send: never one of ours.
  if (origin !== null && !trustedOrigins().includes(origin)) {
    throw new AppError("forbidden", `Cross-site request refused: origin ${origin} is not this app (${trustedOrigins()[0]}). Use an API key for requests from other sites.`);
  }
  if (!origin && req.headers.get("sec-fetch-site") === "cross-site") {
    throw new AppError("forbidden", "Cross-site request refused. Use an API key for requests from other sites.");
  }
}

/**
 * Wraps a `/api/v1` route handler: authenticates the caller (API key or session cookie), counts the
 * request against their rate limit, checks `opts.requires` (the permissions the operation needs),
 * refuses cross-site cookie-authenticated mutations ({@link assertSameOrigin}), runs the handler, and
 * maps thrown errors to the JSON error shape (401, 403, 429 with `Retry-After`, …).
 */
export function withContext<P = Record<string, never>>(
  handler: (req: Request, ctx: RequestContext, params: P) => Promise<Response>,
  opts: { requires?: Permissions } = {},
) {
  return (req: Request, args: RouteArgs<P>): Promise<Response> => observeRequest(req, {}, async () => {
    try {
      const ctx = await requireRequestContext(req.headers);
      addObservabilityContext({ organizationId: ctx.organizationId, userId: ctx.userId });
      assertSameOrigin(req, ctx);
      const limitHeaders = await enforceRateLimit(ctx);
      if (opts.requires) requirePermission(ctx, opts.requires);
      const response = await handler(req, ctx, await args.params);
      try {
        for (const [k, v] of Object.entries(limitHeaders)) response.headers.set(k, v);
      } catch {
        // A response with immutable headers (e.g. a redirect) goes out without them.
      }
      return response;
    } catch (error) {
      return errorResponse(error);
    }
  });
}
