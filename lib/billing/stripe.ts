import Stripe from "stripe";
import { AppError } from "@/lib/errors";
import { env } from "@/lib/env";

let client: { key: string; stripe: Stripe } | undefined;

/**
 * The Stripe client for `STRIPE_SECRET_KEY`, sending to `STRIPE_API_URL` when set (the tests'
 * stand-in, stripe-mock) through the client's `host` / `port` / `protocol` options. One network retry
 * with Stripe's own idempotency keys; 20 s timeout.
 * @throws AppError `conflict` when billing is off (no `STRIPE_SECRET_KEY`)
 */
export function getStripe(): Stripe {
  const key = env.STRIPE_SECRET_KEY;
  if (!key) throw new AppError("conflict", "Billing is not enabled on this deployment (STRIPE_SECRET_KEY is not set): every organization is on the self-hosted plan.");
  if (client?.key === key) return client.stripe;
  const api = env.STRIPE_API_URL ? new URL(env.STRIPE_API_URL) : null;
  const stripe = new Stripe(key, {
    maxNetworkRetries: 1,
    timeout: 20_000,
    appInfo: { name: "Squadron" },
    ...(api
      ? {
          host: api.hostname,
          port: api.port || (api.protocol === "http:" ? 80 : 443),
          protocol: api.protocol === "http:" ? "http" : "https",
        }
      : {}),
  });
  client = { key, stripe };
  return stripe;
}

/**
 * Maps an error thrown by the Stripe client to the API's error shape: Stripe unreachable (network,
 * timeout) or rate limiting → `unavailable` (503); Stripe refusing the request (invalid request, auth,
 * API error) → `bad_gateway` (502). Other errors pass through unchanged.
 */
export function stripeFailure(error: unknown, doing: string): unknown {
  if (error instanceof Stripe.errors.StripeConnectionError || error instanceof Stripe.errors.StripeRateLimitError) {
    return new AppError("unavailable", `Stripe could not be reached while ${doing}; nothing was changed. Try again in a moment.`);
  }
  if (error instanceof Stripe.errors.StripeError) {
    return new AppError("bad_gateway", `Stripe refused ${doing}: ${error.message}`, {
      stripe: { type: error.type, code: error.code ?? null, statusCode: error.statusCode ?? null, requestId: error.requestId ?? null },
    });
  }
  return error;
}

/** Runs a Stripe call and maps its failure with {@link stripeFailure}. */
export async function callStripe<T>(doing: string, fn: (stripe: Stripe) => Promise<T>): Promise<T> {
  const stripe = getStripe();
  try {
    return await fn(stripe);
  } catch (error) {
    throw stripeFailure(error, doing);
  }
}
