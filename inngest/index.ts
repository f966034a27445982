import { agentCollaboration } from "./functions/agent-collaboration";
import { billingMeterUsage, billingStripeEvent } from "./functions/billing";
import { indexRepositoryAfterTask, indexRepositoryFunction } from "./functions/index-repository";
import { learnLessons } from "./functions/learn-lessons";
import { outboundWebhookDeliver, outboundWebhooksDispatch } from "./functions/outbound-webhooks";
import { taskWorkflow } from "./functions/task-workflow";

/** Every Inngest function the app serves at `/api/inngest`. */
export const functions = [taskWorkflow, agentCollaboration, billingStripeEvent, billingMeterUsage, learnLessons, outboundWebhooksDispatch, outboundWebhookDeliver, indexRepositoryFunction, indexRepositoryAfterTask];
