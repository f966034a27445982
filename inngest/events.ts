import { eventType } from "inngest";
import { z } from "zod";
import { agentRoles } from "@/db/schema/squads";

/**
 * Every event Squadron sends or receives, with its zod schema. Event names are part of the public
 * contract (ARCHITECTURE.md); the SDK validates payloads against these schemas at runtime.
 */

/** A task is ready for its squad: starts the task workflow. */
export const taskAssigned = eventType("squad/task.assigned", {
  schema: z.object({
    taskId: z.uuid(),
    organizationId: z.string().min(1),
  }),
});

const collaboration = {
  taskId: z.uuid(),
  organizationId: z.string().min(1),
  /** One question and its answer share this id. */
  collaborationId: z.uuid(),
  fromRole: z.enum(agentRoles),
  toRole: z.enum(agentRoles),
};

/**
 * A message between two agents of a task's squad. `kind: "question"`: `fromRole` asks `toRole`
 * (starts the `agent-collaboration` function, in which `toRole` answers in its own run);
 * `kind: "answer"`: the reply, back from `toRole` of the question (now `fromRole`) to the asker,
 * which waits for it by `collaborationId`.
 */
export const agentCollaborate = eventType("squad/agent.collaborate", {
  schema: z.discriminatedUnion("kind", [
    z.object({ ...collaboration, kind: z.literal("question"), question: z.string().min(1).max(10_000) }),
    z.object({ ...collaboration, kind: z.literal("answer"), answer: z.string().min(1).max(20_000) }),
  ]),
});

/** A task reached a terminal state. */
export const taskCompleted = eventType("squad/task.completed", {
  schema: z.object({
    taskId: z.uuid(),
    organizationId: z.string().min(1),
    status: z.enum(["completed", "failed", "cancelled"]),
    /** Id of the `patch` artifact, when the squad changed code. */
    patchArtifactId: z.uuid().nullable(),
  }),
});

/** A person cancelled a task: its run stops (`cancelOn` of the task workflow). */
export const taskCancelled = eventType("squad/task.cancelled", {
  schema: z.object({
    taskId: z.uuid(),
    organizationId: z.string().min(1),
    reason: z.string().max(1000),
    cancelledByUserId: z.string().min(1),
  }),
});

/** A human decided an approval the workflow waits on. */
export const approvalDecided = eventType("squad/approval.decided", {
  schema: z.object({
    approvalId: z.uuid(),
    taskId: z.uuid(),
    organizationId: z.string().min(1),
    decision: z.enum(["approve", "reject"]),
    comment: z.string().max(10_000).optional(),
    decidedByUserId: z.string().min(1),
  }),
});

/** A verified Stripe webhook event was recorded (`stripe_events`); the billing function applies it. */
export const stripeEventReceived = eventType("stripe/event.received", {
  schema: z.object({
    /** Stripe's event id (`evt_…`), the row of `stripe_events`. */
    stripeEventId: z.string().min(1),
    type: z.string().min(1),
  }),
});

/** Asks the metering function to report model spend above the included amount to Stripe now (it also runs on a schedule). */
export const billingUsageReportRequested = eventType("billing/usage.report-requested", {
  schema: z.object({ organizationId: z.string().min(1).optional() }),
});

/**
 * Outbound webhooks: the outbox has events to fan out (the dispatcher also sweeps on a schedule and on
 * task/approval events). Sent after an endpoint is created or an outbox row is known to exist.
 */
export const outboundWebhooksDispatchRequested = eventType("webhooks/outbound.dispatch-requested", {
  schema: z.object({ organizationId: z.string().min(1).optional() }),
});

/**
 * Outbound webhooks: deliver outbox event `eventId` to endpoint `endpointId` (with retries).
 * `runKey` names this delivery run in the log: the event id for the automatic run, `resend-<uuid>`
 * for a person's resend (`manual: true`).
 */
export const outboundWebhookDeliveryRequested = eventType("webhooks/outbound.delivery-requested", {
  schema: z.object({
    organizationId: z.string().min(1),
    endpointId: z.uuid(),
    eventId: z.uuid(),
    runKey: z.string().min(1).max(200),
    manual: z.boolean(),
  }),
});

/**
 * Knowledge: (re)index a repository's code (`index-repository`), incrementally by git blob id. Sent
 * when a repository is registered, after a task on it completes, and from `POST
 * /api/v1/repositories/{id}/index`.
 */
export const knowledgeRepositoryIndexRequested = eventType("knowledge/repository.index-requested", {
  schema: z.object({
    organizationId: z.string().min(1),
    repositoryId: z.uuid(),
    reason: z.enum(["registered", "task_completed", "requested"]),
  }),
});
