import { bigint, boolean, index, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { organization } from "./auth";
import { createdAt, organizationId, updatedAt } from "./_columns";
import { tasks } from "./tasks";

/** Subscription statuses as Squadron keeps them (Stripe's, folded: see `lib/billing/subscription-status.ts`). */
export const billingStatuses = ["none", "active", "past_due", "restricted", "canceled"] as const;
export type BillingStatus = (typeof billingStatuses)[number];

/**
 * An organization's billing state: its Stripe customer (created once, by the first checkout), its
 * subscription and plan. No row = the default plan (Free with billing on, self-hosted otherwise).
 */
export const billingAccounts = pgTable(
  "billing_accounts",
  {
    organizationId: text("organization_id")
      .primaryKey()
      .references(() => organization.id, { onDelete: "cascade" }),
    stripeCustomerId: text("stripe_customer_id"),
    stripeSubscriptionId: text("stripe_subscription_id"),
    /** `free`, `team`, `business` (see `lib/billing/plans.ts`). */
    plan: text("plan").notNull().default("free"),
    status: text("status", { enum: billingStatuses }).notNull().default("none"),
    currentPeriodStart: timestamp("current_period_start", { withTimezone: true }),
    currentPeriodEnd: timestamp("current_period_end", { withTimezone: true }),
    cancelAtPeriodEnd: boolean("cancel_at_period_end").notNull().default(false),
    /** When the first unpaid invoice failed; new tasks are refused from `graceEndsAt` on. */
    pastDueSince: timestamp("past_due_since", { withTimezone: true }),
    graceEndsAt: timestamp("grace_ends_at", { withTimezone: true }),
    /**
     * `created` (Unix seconds) of the newest Stripe subscription event applied: an older one arriving
     * late is ignored, so a stale `customer.subscription.updated` never overwrites a newer state.
     */
    subscriptionEventCreated: bigint("subscription_event_created", { mode: "number" }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex("billing_accounts_stripe_customer_uq").on(t.stripeCustomerId)],
);

/**
 * Every verified Stripe webhook event, once per event id (a redelivery is a no-op). Not a tenant
 * table: the organization is found while processing, from the customer id.
 */
export const stripeEvents = pgTable("stripe_events", {
  id: text("id").primaryKey(),
  type: text("type").notNull(),
  /** Stripe's `created`, Unix seconds. */
  created: bigint("created", { mode: "number" }).notNull(),
  payload: jsonb("payload").$type<Record<string, unknown>>().notNull(),
  /** The organization it applied to, once processed (null: none matched). Not named organization_id: this is not a tenant table. */
  matchedOrganizationId: text("matched_organization_id"),
  /** `applied`, `stale` (older than the state it would overwrite), `ignored` (type or customer not ours). */
  outcome: text("outcome", { enum: ["applied", "stale", "ignored"] }),
  receivedAt: timestamp("received_at", { withTimezone: true }).notNull().defaultNow(),
  processedAt: timestamp("processed_at", { withTimezone: true }),
});

/**
 * Model spend above a plan's included amount, reported to Stripe as Billing Meter events. One row
 * per report; `identifier` (sent as the meter event's identifier and idempotency key) is derived from
 * the organization, period and cumulative overage, so a retry or a crash never bills twice.
 */
export const billingMeterReports = pgTable(
  "billing_meter_reports",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    organizationId: organizationId(),
    periodStart: timestamp("period_start", { withTimezone: true }).notNull(),
    identifier: text("identifier").notNull(),
    /** USD micros reported by this event. */
    valueUsdMicros: bigint("value_usd_micros", { mode: "number" }).notNull(),
    /** Overage of the period through this report, USD micros. */
    cumulativeUsdMicros: bigint("cumulative_usd_micros", { mode: "number" }).notNull(),
    stripeCustomerId: text("stripe_customer_id").notNull(),
    sentAt: timestamp("sent_at", { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("billing_meter_reports_identifier_uq").on(t.identifier),
    index("billing_meter_reports_org_period_idx").on(t.organizationId, t.periodStart),
  ],
);

/**
 * Tasks refused because of the plan (over quota, or the subscription restricted after a failed
 * payment): webhook-born tasks are stored `failed` with the reason instead of being dropped. Refused
 * tasks do not count against the quota.
 */
export const billingRefusals = pgTable(
  "billing_refusals",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    organizationId: organizationId(),
    taskId: uuid("task_id")
      .notNull()
      .references(() => tasks.id, { onDelete: "cascade" }),
    /** `quota_exceeded` or `payment_required`. */
    code: text("code").notNull(),
    reason: text("reason").notNull(),
    details: jsonb("details").$type<Record<string, unknown>>().notNull().default({}),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("billing_refusals_task_uq").on(t.taskId)],
);
