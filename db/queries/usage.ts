import { and, asc, eq, gte, lt, sql } from "drizzle-orm";
import type { DbOrTx } from "../client";
import { llmCalls, organizationBudgets, tasks } from "../schema";
import { toUsageRollup, usageByRoleColumns, type UsageRollup } from "./tasks";

// Tenant-scoped queries of the usage ledger (`llm_calls`) and budgets. Costs are USD micros.

type Scope = { organizationId: string };

/** Total cost of a task's model calls (the task's own rows; every run and retry). */
export async function taskSpendUsdMicros(db: DbOrTx, q: Scope & { taskId: string }): Promise<number> {
  const [row] = await db
    .select({ total: sql<string>`coalesce(sum(${llmCalls.costUsdMicros}), 0)` })
    .from(llmCalls)
    .where(and(eq(llmCalls.organizationId, q.organizationId), eq(llmCalls.taskId, q.taskId)));
  return Number(row?.total ?? 0);
}

/** Total cost of the organization's model calls since `since`. */
export async function organizationSpendSince(db: DbOrTx, q: Scope & { since: Date }): Promise<number> {
  const [row] = await db
    .select({ total: sql<string>`coalesce(sum(${llmCalls.costUsdMicros}), 0)` })
    .from(llmCalls)
    .where(and(eq(llmCalls.organizationId, q.organizationId), gte(llmCalls.createdAt, q.since)));
  return Number(row?.total ?? 0);
}

/** Usage of one squad's tasks since `since`, per agent role: calls, tokens, USD micros. */
export async function squadUsageByRoleSince(
  db: DbOrTx,
  q: Scope & { squadId: string; since: Date },
): Promise<UsageRollup[]> {
  const rows = await db
    .select(usageByRoleColumns)
    .from(llmCalls)
    .innerJoin(tasks, eq(tasks.id, llmCalls.taskId))
    .where(
      and(
        eq(llmCalls.organizationId, q.organizationId),
        eq(tasks.organizationId, q.organizationId),
        eq(tasks.squadId, q.squadId),
        gte(llmCalls.createdAt, q.since),
      ),
    )
    .groupBy(llmCalls.agentRole)
    .orderBy(asc(llmCalls.agentRole));
  return rows.map(toUsageRollup);
}

/** The organization's monthly budget in USD micros, or null when it has none. */
export async function findOrganizationBudget(db: DbOrTx, q: Scope): Promise<number | null> {
  const [row] = await db
    .select({ budget: organizationBudgets.monthlyBudgetUsdMicros })
    .from(organizationBudgets)
    .where(eq(organizationBudgets.organizationId, q.organizationId))
    .limit(1);
  return row?.budget ?? null;
}

/** Sets (or clears, with null) the organization's monthly budget in USD micros. */
export async function upsertOrganizationBudget(db: DbOrTx, q: Scope & { monthlyBudgetUsdMicros: number | null }): Promise<void> {
  await db
    .insert(organizationBudgets)
    .values({ organizationId: q.organizationId, monthlyBudgetUsdMicros: q.monthlyBudgetUsdMicros })
    .onConflictDoUpdate({
      target: organizationBudgets.organizationId,
      set: { monthlyBudgetUsdMicros: q.monthlyBudgetUsdMicros, updatedAt: new Date() },
    });
}

/** Usage of the organization in `[from, to)`: totals, per agent role, per model and per UTC day. */
export async function organizationUsage(
  db: DbOrTx,
  q: Scope & { from: Date; to: Date },
): Promise<{
  totals: Omit<UsageRollup, "role">;
  byRole: UsageRollup[];
  byModel: (Omit<UsageRollup, "role"> & { provider: string; model: string })[];
  byDay: (Omit<UsageRollup, "role"> & { day: string })[];
}> {
  const where = and(eq(llmCalls.organizationId, q.organizationId), gte(llmCalls.createdAt, q.from), lt(llmCalls.createdAt, q.to));
  const sums = {
    calls: sql<string>`count(*)`,
    inputTokens: sql<string>`coalesce(sum(${llmCalls.inputTokens}), 0)`,
    outputTokens: sql<string>`coalesce(sum(${llmCalls.outputTokens}), 0)`,
    costUsdMicros: sql<string>`coalesce(sum(${llmCalls.costUsdMicros}), 0)`,
  };
  const num = (r: { calls: string; inputTokens: string; outputTokens: string; costUsdMicros: string }) => ({
    calls: Number(r.calls),
    inputTokens: Number(r.inputTokens),
    outputTokens: Number(r.outputTokens),
    costUsdMicros: Number(r.costUsdMicros),
  });
  const [totals] = await db.select(sums).from(llmCalls).where(where);
  const byRole = await db.select(usageByRoleColumns).from(llmCalls).where(where).groupBy(llmCalls.agentRole).orderBy(asc(llmCalls.agentRole));
  const byModel = await db
    .select({ ...sums, provider: llmCalls.provider, model: llmCalls.model })
    .from(llmCalls)
    .where(where)
    .groupBy(llmCalls.provider, llmCalls.model)
    .orderBy(asc(llmCalls.provider), asc(llmCalls.model));
  const day = sql<string>`to_char(${llmCalls.createdAt} at time zone 'UTC', 'YYYY-MM-DD')`;
  const byDay = await db.select({ ...sums, day }).from(llmCalls).where(where).groupBy(day).orderBy(asc(day));
  return {
    totals: num(totals ?? { calls: "0", inputTokens: "0", outputTokens: "0", costUsdMicros: "0" }),
    byRole: byRole.map(toUsageRollup),
    byModel: byModel.map((r) => ({ provider: r.provider, model: r.model, ...num(r) })),
    byDay: byDay.map((r) => ({ day: r.day, ...num(r) })),
  };
}
