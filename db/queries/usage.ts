import { and, asc, eq, gte, sql } from "drizzle-orm";
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
