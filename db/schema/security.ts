import { bigserial, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { createdAt, organizationId } from "./_columns";

/**
 * Audit log of privileged actions (approvals, API keys, members and roles, policy and routing
 * changes): append-only, one row per action, readable by owners and admins.
 */
export const auditEvents = pgTable(
  "audit_events",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    organizationId: organizationId(),
    /** The person who acted (null for the system). */
    actorUserId: text("actor_user_id"),
    /** The API key the request came with, when it came with one. */
    actorApiKeyId: text("actor_api_key_id"),
    /** Dotted verb, e.g. `approval.decided`, `api_key.created`, `member.role_changed`, `squad.updated`. */
    action: text("action").notNull(),
    /** What was acted on: `approval`, `api_key`, `member`, `invitation`, `squad`, … */
    targetType: text("target_type").notNull(),
    targetId: text("target_id"),
    /** Facts of the change (before/after, role, decision); never a secret. */
    data: jsonb("data").$type<Record<string, unknown>>().notNull().default({}),
    createdAt: createdAt(),
  },
  (t) => [index("audit_events_org_id_idx").on(t.organizationId, t.id)],
);

/**
 * Mail the embedded default "sends" (invitations): the outbox mailer stores each message here and
 * the outbox page shows it, links included. A real mailer (SMTP) also records what it sent.
 */
export const mailOutbox = pgTable(
  "mail_outbox",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    organizationId: organizationId(),
    to: text("to").notNull(),
    subject: text("subject").notNull(),
    text: text("text").notNull(),
    /** The link the message carries (e.g. the invitation's accept page). */
    link: text("link"),
    /** `outbox` (kept here only) or the transport that delivered it. */
    transport: text("transport").notNull().default("outbox"),
    createdAt: createdAt(),
  },
  (t) => [index("mail_outbox_org_created_idx").on(t.organizationId, t.createdAt)],
);

/**
 * Fixed-window request counters of the API rate limiter, shared by every app instance. `subject`
 * is `key:<api key id>` or `user:<user id>`; `windowStart` the window's start.
 */
export const rateLimitCounters = pgTable(
  "rate_limit_counters",
  {
    subject: text("subject").notNull(),
    windowStart: timestamp("window_start", { withTimezone: true }).notNull(),
    count: integer("count").notNull().default(0),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.subject, t.windowStart] }), index("rate_limit_counters_expires_idx").on(t.expiresAt)],
);

