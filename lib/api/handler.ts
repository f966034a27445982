import { randomUUID } from "node:crypto";
import { z } from "zod";
import { AppError, fromZodError, httpStatusOf } from "@/lib/errors";
import { requireRequestContext, type RequestContext } from "@/lib/auth/session";

/** Largest JSON body a v1 route accepts, in bytes. */
export const MAX_JSON_BODY_BYTES = 1_000_000;

/** Renders an error as `{ error: { code, message, details? } }` with the status its code maps to. */
export function errorResponse(error: unknown): Response {
  if (error instanceof AppError) {
    return Response.json(
      { error: { code: error.code, message: error.message, ...(error.details ? { details: error.details } : {}) } },
      { status: httpStatusOf(error.code) },
    );
  }
  const requestId = randomUUID();
  console.error(`[api] request ${requestId} failed`, error);
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

type RouteArgs<P> = { params: Promise<P> };

/**
 * Wraps a `/api/v1` route handler: resolves the caller's organization from the session, runs the
 * handler, and maps thrown errors to the JSON error shape.
 */
export function withContext<P = Record<string, never>>(
  handler: (req: Request, ctx: RequestContext, params: P) => Promise<Response>,
) {
  return async (req: Request, args: RouteArgs<P>): Promise<Response> => {
    try {
      const ctx = await requireRequestContext(req.headers);
      return await handler(req, ctx, await args.params);
    } catch (error) {
      return errorResponse(error);
    }
  };
}
