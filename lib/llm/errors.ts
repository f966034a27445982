import OpenAI from "openai";
import Anthropic from "@anthropic-ai/sdk";
import { AppError } from "@/lib/errors";
import type { SkippedCandidate } from "./route-constraints";
import type { ProviderName } from "./types";

/**
 * Why one attempt failed. `rate_limited` (429), `server_error` (5xx), `timeout` (client timeout or 408)
 * and `connection` (network) fall back to the next candidate; `invalid_response` (a body we could not
 * parse) does too. `client_error` (other 4xx: bad key, bad request) stops the route: the next candidate
 * would most likely be sent the same broken request.
 */
export type FailureReason =
  | "rate_limited"
  | "server_error"
  | "timeout"
  | "connection"
  | "invalid_response"
  | "client_error";

/** One failed attempt of a route, as recorded in {@link ModelRouteError.attempts}. */
export type AttemptFailure = {
  provider: ProviderName;
  model: string;
  reason: FailureReason;
  /** HTTP status, when the provider answered. */
  status?: number;
  message: string;
};

const fallbackReasons: ReadonlySet<FailureReason> = new Set([
  "rate_limited",
  "server_error",
  "timeout",
  "connection",
  "invalid_response",
]);

/** Whether a failure of this kind moves on to the next candidate. */
export function fallsBack(reason: FailureReason): boolean {
  return fallbackReasons.has(reason);
}

/** Thrown by a provider when the response could not be understood (missing fields, bad JSON). */
export class InvalidProviderResponseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InvalidProviderResponseError";
  }
}

function reasonForStatus(status: number): FailureReason {
  if (status === 429) return "rate_limited";
  if (status === 408) return "timeout";
  if (status >= 500) return "server_error";
  return "client_error";
}

/** Classifies an error thrown while calling a provider (the official SDKs' error classes or our own). */
export function classifyProviderError(
  provider: ProviderName,
  model: string,
  error: unknown,
): AttemptFailure {
  const message = error instanceof Error ? error.message : String(error);
  const base = { provider, model, message };
  if (error instanceof OpenAI.APIConnectionTimeoutError || error instanceof Anthropic.APIConnectionTimeoutError) {
    return { ...base, reason: "timeout" };
  }
  if (error instanceof OpenAI.APIConnectionError || error instanceof Anthropic.APIConnectionError) {
    return { ...base, reason: "connection" };
  }
  if (error instanceof OpenAI.APIError || error instanceof Anthropic.APIError) {
    const status = error.status;
    if (typeof status === "number") return { ...base, status, reason: reasonForStatus(status) };
    return { ...base, reason: "connection" };
  }
  if (error instanceof InvalidProviderResponseError) return { ...base, reason: "invalid_response" };
  return { ...base, reason: "client_error" };
}

function describe(attempt: AttemptFailure): string {
  const status = attempt.status === undefined ? "" : ` ${attempt.status}`;
  return `${attempt.provider}/${attempt.model}: ${attempt.reason}${status} (${attempt.message})`;
}

/**
 * Every candidate of a route failed, or one failed in a way that does not fall back.
 * `code` is `rate_limited` when every attempt was rate limited, `unavailable` when the candidates were
 * exhausted by other fallback failures, and `internal` for a non-fallback failure (e.g. 401 bad key).
 * `attempts` lists each attempt in order.
 */
export class ModelRouteError extends AppError {
  readonly attempts: AttemptFailure[];
  /** Candidates the route's constraints ruled out before any attempt (privacy, cost per call). */
  readonly skipped: SkippedCandidate[];

  constructor(attempts: AttemptFailure[], skipped: SkippedCandidate[] = []) {
    const last = attempts.at(-1);
    const code =
      last && !fallsBack(last.reason)
        ? "internal"
        : attempts.length > 0 && attempts.every((a) => a.reason === "rate_limited")
          ? "rate_limited"
          : "unavailable";
    const parts = attempts.map(describe);
    for (const s of skipped) parts.push(`${s.provider}/${s.model}: skipped (${s.message})`);
    const summary = parts.length === 0 ? "no candidates" : parts.join("; ");
    super(code, `Model call failed: ${summary}`, { attempts, skipped });
    this.name = "ModelRouteError";
    this.attempts = attempts;
    this.skipped = skipped;
  }
}
