import { pgTable, text, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { createdAt, organizationId } from "./_columns";
import { repositories } from "./squads";
import { tasks } from "./tasks";

/** Every verified webhook delivery, unique by (provider, delivery id): a redelivery is a no-op. */
export const webhookDeliveries = pgTable(
  "webhook_deliveries",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    organizationId: organizationId(),
    repositoryId: uuid("repository_id").references(() => repositories.id, { onDelete: "cascade" }),
    provider: text("provider", { enum: ["github", "jira"] }).notNull(),
    deliveryId: text("delivery_id").notNull(),
    event: text("event").notNull(),
    action: text("action"),
    /** `accepted` (handed to a workflow) or `ignored` (an event Squadron does not act on). */
    status: text("status", { enum: ["accepted", "ignored"] }).notNull(),
    taskId: uuid("task_id").references(() => tasks.id, { onDelete: "set null" }),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("webhook_deliveries_provider_delivery_uq").on(t.provider, t.deliveryId)],
);
