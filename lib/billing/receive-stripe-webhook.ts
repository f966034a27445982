import type Stripe from "stripe";
import { z } from "zod";
import type { Database } from "@/db/client";
import { insertStripeEvent } from "@/db/queries/billing";
import { inngest } from "@/inngest/client";
import { stripeEventReceived } from "@/inngest/events";
import { AppError } from "@/lib/errors";
import { env } from "@/lib/env";
import { getStripe } from "./stripe";

export type StripeWebhookResult = { received: true; eventId: string; type: string; duplicate: boolean };

/**
 * Verifies one Stripe webhook delivery with `stripe.webhooks.constructEvent` (the raw body, the
 * `Stripe-Signature` header and `STRIPE_WEBHOOK_SECRET`; Stripe's default 300 s tolerance), records
 * it once by event id (`stripe_events`), and hands it to the billing function
 * (`stripe/event.received`, event id `stripe-<evt id>`, so even a resent hand-off runs once).
 * A redelivery of an event that was not processed yet is handed over again; one already processed
 * is a no-op.
 *
 * @returns `{ received, eventId, type, duplicate }`
 * @throws AppError `bad_request` (missing or bad signature, malformed payload: nothing stored),
 *   `conflict` (billing off), `unavailable` (the workflow engine is unreachable: the event is stored
 *   and Stripe's retry hands it over again)
 */
export async function receiveStripeWebhook(db: Database, input: { rawBody: string; signature: string | null }): Promise<StripeWebhookResult> {
  const stripe = getStripe();
  const secret = env.STRIPE_WEBHOOK_SECRET;
  if (!secret) throw new AppError("conflict", "STRIPE_WEBHOOK_SECRET is not set: Stripe webhooks cannot be verified.");
  if (!input.signature) throw new AppError("bad_request", "Missing Stripe-Signature header");
  let event: Stripe.Event;
  try {
    event = stripe.webhooks.constructEvent(input.rawBody, input.signature, secret);
  } catch (error) {
    throw new AppError("bad_request", `Stripe signature verification failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (typeof event.id !== "string" || typeof event.type !== "string" || typeof event.created !== "number") {
    throw new AppError("bad_request", "Malformed Stripe event: id, type and created are required");
  }
  const payload = z.record(z.string(), z.unknown()).parse(JSON.parse(input.rawBody));
  const { row, inserted } = await insertStripeEvent(db, { id: event.id, type: event.type, created: event.created, payload });
  if (!inserted && row.processedAt) return { received: true, eventId: event.id, type: event.type, duplicate: true };
  try {
    await inngest.send(stripeEventReceived.create({ stripeEventId: event.id, type: event.type }, { id: `stripe-${event.id}` }));
  } catch (error) {
    throw new AppError("unavailable", `Stripe event ${event.id} was stored but the workflow engine could not be reached: ${error instanceof Error ? error.message : String(error)}`);
  }
  return { received: true, eventId: event.id, type: event.type, duplicate: !inserted };
}
