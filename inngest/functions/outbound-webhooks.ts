import { getDb } from "@/db/client";
import { inngest } from "@/inngest/client";
import {
  approvalDecided,
  outboundWebhookDeliveryRequested,
  outboundWebhooksDispatchRequested,
  taskAssigned,
  taskCancelled,
  taskCompleted,
} from "@/inngest/events";
import { env } from "@/lib/env";
import { attemptDelivery, recordFailedDelivery, retryDelaysMs } from "@/lib/outbound-webhooks/deliver";
import { claimDeliveries } from "@/lib/outbound-webhooks/dispatch";

/**
 * Outbound webhooks, fan-out: claims the outbox rows the database triggers wrote (tasks and
 * approvals, in the change's own transaction) and starts one delivery run per subscribed endpoint.
 * Runs on `OUTBOUND_WEBHOOK_DISPATCH_CRON` (a sweep, so nothing waits longer than that), right after
 * the task events that accompany most changes, and on `webhooks/outbound.dispatch-requested`.
 * One run at a time; the claim is `SKIP LOCKED` anyway.
 */
export const outboundWebhooksDispatch = inngest.createFunction(
  {
    id: "outbound-webhooks-dispatch",
    name: "Outbound webhooks: fan out the outbox",
    triggers: [
      { cron: env.OUTBOUND_WEBHOOK_DISPATCH_CRON },
      { event: outboundWebhooksDispatchRequested },
      { event: taskAssigned },
      { event: taskCompleted },
      { event: taskCancelled },
      { event: approvalDecided },
    ],
    concurrency: { limit: 1 },
    retries: 5,
  },
  async ({ step }) => {
    const deliveries = await step.run("claim", () => claimDeliveries(getDb()));
    if (deliveries.length > 0) {
      await step.sendEvent(
        "start-deliveries",
        deliveries.map((d) =>
          outboundWebhookDeliveryRequested.create(
            { ...d, runKey: d.eventId, manual: false },
            { id: `owh-${d.eventId}-${d.endpointId}` },
          ),
        ),
      );
    }
    return { started: deliveries.length };
  },
);

/**
 * Outbound webhooks, one delivery run: attempt, and after a failure wait the next delay of
 * `OUTBOUND_WEBHOOK_RETRY_DELAYS_MS` (exponential-ish, Svix's schedule by default) and attempt again;
 * every attempt is its own durable step and row in the delivery log. When all attempts failed, the
 * endpoint's failure count goes up (disabled at 5 in a row, owners e-mailed).
 */
export const outboundWebhookDeliver = inngest.createFunction(
  {
    id: "outbound-webhook-deliver",
    name: "Outbound webhooks: deliver one event to one endpoint",
    triggers: [{ event: outboundWebhookDeliveryRequested }],
    // Attempts of one endpoint in order, a few endpoints at once.
    concurrency: { limit: 1, key: "event.data.endpointId" },
    retries: 3,
  },
  async ({ event, step }) => {
    const db = getDb();
    const delays = retryDelaysMs();
    for (let attempt = 1; attempt <= delays.length + 1; attempt++) {
      const result = await step.run(`attempt-${attempt}`, () => attemptDelivery(db, { ...event.data, attempt }));
      if (result.outcome !== "failed") return { ...result, attempts: attempt };
      if (attempt <= delays.length) await step.sleep(`backoff-${attempt}`, delays[attempt - 1]);
    }
    const failed = await step.run("record-failure", () => recordFailedDelivery(db, event.data));
    return { outcome: "failed", attempts: delays.length + 1, ...failed };
  },
);
