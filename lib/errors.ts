import { z } from "zod";

export const errorCodes = {
  invalid_input: 422,
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  rate_limited: 429,
  quota_exceeded: 402,
  /** The organization's subscription is restricted after a failed payment (billing). */
  payment_required: 402,
  internal: 500,
  /** A vendor (e.g. Stripe) answered with an error. */
  bad_gateway: 502,
  unavailable: 503,
} as const;
export type ErrorCode = keyof typeof errorCodes;

/**
 * The one error type the domain throws. Route handlers map `code` to an HTTP status with
 * {@link httpStatusOf} and render `{ error: { code, message, details? } }`.
 */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = "AppError";
  }
}

export function httpStatusOf(code: ErrorCode): number {
  return errorCodes[code];
}

/** Turns a zod error into an `invalid_input` AppError whose details list each field path and problem. */
export function fromZodError(error: z.ZodError, what = "request body"): AppError {
  const issues = error.issues.map((i) => ({ path: i.path.join("."), message: i.message }));
  const summary = issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join("; ");
  return new AppError("invalid_input", `Invalid ${what}: ${summary}`, { issues });
}

export const notFound = (what: string) => new AppError("not_found", `${what} not found`);
