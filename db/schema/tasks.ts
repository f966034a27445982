import {
  bigint,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
  type AnyPgColumn,
} from "drizzle-orm/pg-core";
import { sql } from "drizzle-orm";
import { createdAt, organizationId, updatedAt } from "./_columns";
import { taskOutcomes, taskSources, taskStatuses } from "./task-statuses";
import { user } from "./auth";
import { agentRoles, repositories, squads } from "./squads";

export { taskOutcomes, taskSources, taskStatuses, type TaskOutcome, type TaskSource, type TaskStatus } from "./task-statuses";

/** A task (top level) or a subtask (`parentTaskId` set, planned by the product manager). */
export const tasks = pgTable(
  "tasks",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    organizationId: organizationId(),
    squadId: uuid("squad_id")
      .notNull()
      .references(() => squads.id, { onDelete: "cascade" }),
    repositoryId: uuid("repository_id").references(() => repositories.id, { onDelete: "set null" }),
    parentTaskId: uuid("parent_task_id").references((): AnyPgColumn => tasks.id, { onDelete: "cascade" }),
    title: text("title").notNull(),
    description: text("description").notNull().default(""),
    status: text("status", { enum: taskStatuses }).notNull().default("queued"),
    /** How the task ended (top-level tasks; null until it ends): see `taskOutcomes`. */
    outcome: text("outcome", { enum: taskOutcomes }),
    /** 0 = normal; higher runs first. */
    priority: integer("priority").notNull().default(0),
    source: text("source", { enum: taskSources }).notNull(),
    /** Identity in the source system, e.g. `github:octo/repo#12`; unique per organization. */
    externalRef: text("external_ref"),
    /** For subtasks: the role that carries it out. */
    role: text("role", { enum: agentRoles }),
    /** Position of a subtask in its plan (0-based). */
    position: integer("position"),
    /** Key of a subtask in its plan (`dependsOn` names these), unique within the parent task. */
    planKey: text("plan_key"),
    /** A finished subtask's result in the agent's words (its summary, design notes or test verdict). */
    output: text("output"),
    /** The task's budget in USD micros (from its squad at the first run; raised when a person approves going over). */
    budgetUsdMicros: bigint("budget_usd_micros", { mode: "number" }),
    /** Projected cost of the plan in USD micros, estimated before the subtasks run. */
    estimatedCostUsdMicros: bigint("estimated_cost_usd_micros", { mode: "number" }),
    /** How many times a human asked to retry the task's failed or blocked subtasks (0 = first run). */
    attempt: integer("attempt").notNull().default(0),
    branch: text("branch"),
    error: text("error"),
    createdByUserId: text("created_by_user_id").references(() => user.id, { onDelete: "set null" }),
    startedAt: timestamp("started_at", { withTimezone: true }),
    completedAt: timestamp("completed_at", { withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index("tasks_organization_created_idx").on(t.organizationId, t.createdAt),
    index("tasks_parent_task_id_idx").on(t.parentTaskId),
    uniqueIndex("tasks_external_ref_uq")
      .on(t.organizationId, t.externalRef)
      .where(sql`${t.externalRef} is not null`),
  ],
);

/** Edge of the plan graph: `taskId` cannot start before `dependsOnTaskId` is completed. */
export const taskDependencies = pgTable(
  "task_dependencies",
  {
    organizationId: organizationId(),
    taskId: uuid("task_id")
      .notNull()
      .references(() => tasks.id, { onDelete: "cascade" }),
    dependsOnTaskId: uuid("depends_on_task_id")
      .notNull()
      .references(() => tasks.id, { onDelete: "cascade" }),
  },
  (t) => [primaryKey({ columns: [t.taskId, t.dependsOnTaskId] })],
);

/**
 * Kinds of timeline entries: status changes, agent messages, tool calls, artifacts, errors, policy
 * decisions (`data`: action, decision, reason, rule) and approvals asked and answered (`data.approvalId`).
 */
export const taskEventTypes = ["status", "message", "tool_call", "artifact", "error", "policy", "approval"] as const;
export type TaskEventType = (typeof taskEventTypes)[number];

/** Append-only log of everything a human may watch; `id` orders it and is the SSE event id. */
export const taskEvents = pgTable(
  "task_events",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    organizationId: organizationId(),
    taskId: uuid("task_id")
      .notNull()
      .references(() => tasks.id, { onDelete: "cascade" }),
    type: text("type", { enum: taskEventTypes }).notNull(),
    /** Who speaks: an agent role, `system`, or `user`. */
    actor: text("actor").notNull(),
    message: text("message").notNull(),
    data: jsonb("data").$type<Record<string, unknown>>(),
    /** Idempotency key (run id + step id) so a replayed step does not log twice. */
    dedupeKey: text("dedupe_key"),
    createdAt: createdAt(),
  },
  (t) => [
    index("task_events_task_id_idx").on(t.taskId, t.id),
    uniqueIndex("task_events_dedupe_key_uq").on(t.dedupeKey),
  ],
);

export const artifactKinds = ["plan", "patch", "test_report", "review"] as const;
export type ArtifactKind = (typeof artifactKinds)[number];

export const artifacts = pgTable(
  "artifacts",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    organizationId: organizationId(),
    taskId: uuid("task_id")
      .notNull()
      .references(() => tasks.id, { onDelete: "cascade" }),
    kind: text("kind", { enum: artifactKinds }).notNull(),
    title: text("title").notNull(),
    /** The artifact body: markdown (plan, review), a unified diff (patch), test output (test_report). */
    content: text("content").notNull(),
    data: jsonb("data").$type<Record<string, unknown>>(),
    dedupeKey: text("dedupe_key"),
    createdAt: createdAt(),
  },
  (t) => [index("artifacts_task_id_idx").on(t.taskId), uniqueIndex("artifacts_dedupe_key_uq").on(t.dedupeKey)],
);

export const approvalStatuses = ["pending", "approved", "rejected", "expired"] as const;
export type ApprovalStatus = (typeof approvalStatuses)[number];

/**
 * What a person is asked to approve: a policy decision on an action (`plan`, `deliver`,
 * `dependency_change`), a run that crossed its budget (`budget`), or an agent stuck in a loop (`stuck_loop`).
 */
export const approvalKinds = ["plan", "deliver", "dependency_change", "budget", "stuck_loop"] as const;
export type ApprovalKind = (typeof approvalKinds)[number];

/**
 * A question to a person that a run waits on (`squad/approval.decided`). `comment` on an approval is
 * the person's instructions to the squad; on a rejection, the reason.
 */
export const approvals = pgTable(
  "approvals",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    organizationId: organizationId(),
    taskId: uuid("task_id")
      .notNull()
      .references(() => tasks.id, { onDelete: "cascade" }),
    kind: text("kind", { enum: approvalKinds }).notNull(),
    reason: text("reason").notNull(),
    status: text("status", { enum: approvalStatuses }).notNull().default("pending"),
    /** Who asks: an agent role or `system` (policy, budget). */
    requestedBy: text("requested_by").notNull().default("system"),
    /** Facts behind the request (policy decision and rule, files, cost, the looping call). */
    details: jsonb("details").$type<Record<string, unknown>>(),
    /** Run that waits on it; with `dedupeKey` a replayed step asks only once. */
    runId: text("run_id"),
    dedupeKey: text("dedupe_key"),
    /** When the run stops waiting and the approval expires. */
    expiresAt: timestamp("expires_at", { withTimezone: true }),
    decidedByUserId: text("decided_by_user_id").references(() => user.id, { onDelete: "set null" }),
    comment: text("comment"),
    decidedAt: timestamp("decided_at", { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [
    index("approvals_organization_status_idx").on(t.organizationId, t.status),
    index("approvals_task_id_idx").on(t.taskId),
    uniqueIndex("approvals_dedupe_key_uq").on(t.dedupeKey),
  ],
);
