import { index, integer, jsonb, pgTable, text, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { createdAt, organizationId, updatedAt } from "./_columns";
import { tasks } from "./tasks";

/** Where a task's work was delivered to, one row per delivery channel (`lib/delivery`). */
export const deliveryChannelIds = ["github", "jira"] as const;
export type DeliveryChannelId = (typeof deliveryChannelIds)[number];

/**
 * What a delivery channel did with a task: a pull request on GitHub (`externalId` = its number), a
 * Jira issue linked and transitioned (`externalId` = the issue key). One row per (task, channel):
 * a retry or a redelivered event updates the same row, never adds a second one.
 */
export const taskDeliveries = pgTable(
  "task_deliveries",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    organizationId: organizationId(),
    taskId: uuid("task_id")
      .notNull()
      .references(() => tasks.id, { onDelete: "cascade" }),
    channel: text("channel", { enum: deliveryChannelIds }).notNull(),
    /** `delivered` (the link is live) or `failed` (`error` says why, in the vendor's words). */
    status: text("status", { enum: ["delivered", "failed"] }).notNull(),
    /** The vendor's id of what was delivered: a pull request number, a Jira issue key. */
    externalId: text("external_id"),
    /** Link for people (the pull request's `html_url`, the Jira issue's browse URL). */
    url: text("url"),
    /** How many times the channel delivered this task (first delivery = 1). */
    deliveries: integer("deliveries").notNull().default(0),
    error: text("error"),
    /** Channel-specific facts (branch, head sha, repository), plain JSON. */
    data: jsonb("data").$type<Record<string, unknown>>(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("task_deliveries_task_channel_uq").on(t.taskId, t.channel),
    index("task_deliveries_organization_id_idx").on(t.organizationId),
  ],
);
