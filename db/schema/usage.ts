import { bigint, index, integer, jsonb, pgTable, text, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { organization } from "./auth";
import { createdAt, organizationId, updatedAt } from "./_columns";
import { tasks } from "./tasks";

/**
 * The usage ledger: one row per model call. Unique by (run id, step id) so a retried or replayed
 * step never counts twice. Cost is in USD micros (1 USD = 1,000,000).
 */
export const llmCalls = pgTable(
  "llm_calls",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    organizationId: organizationId(),
    taskId: uuid("task_id").references(() => tasks.id, { onDelete: "set null" }),
    runId: text("run_id").notNull(),
    stepId: text("step_id").notNull(),
    agentRole: text("agent_role").notNull(),
    provider: text("provider").notNull(),
    model: text("model").notNull(),
    inputTokens: integer("input_tokens").notNull(),
    outputTokens: integer("output_tokens").notNull(),
    costUsdMicros: bigint("cost_usd_micros", { mode: "number" }).notNull(),
    latencyMs: integer("latency_ms").notNull(),
    /** Candidates skipped by a constraint and attempts that failed before this call was answered, with reasons. */
    route: jsonb("route").$type<Record<string, unknown>>(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("llm_calls_run_step_uq").on(t.runId, t.stepId),
    index("llm_calls_task_id_idx").on(t.taskId),
    index("llm_calls_organization_created_idx").on(t.organizationId, t.createdAt),
  ],
);

/**
 * An organization's monthly model budget in USD micros (calendar month, UTC). Runs that cross it
 * pause and ask a person to approve going on. No row (or a null budget) = no organization budget.
 */
export const organizationBudgets = pgTable("organization_budgets", {
  organizationId: text("organization_id")
    .primaryKey()
    .references(() => organization.id, { onDelete: "cascade" }),
  monthlyBudgetUsdMicros: bigint("monthly_budget_usd_micros", { mode: "number" }),
  updatedAt: updatedAt(),
});
