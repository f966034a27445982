import { and, asc, desc, eq, gte, inArray, isNotNull, isNull, lt, sql } from "drizzle-orm";
import type { DbOrTx } from "../client";
import { agents, artifacts, llmCalls, squads, tasks } from "../schema";

// Tenant-scoped read models over the usage ledger (`llm_calls`) for the board, the usage charts
// and the agents page. Costs are USD micros (1 USD = 1,000,000), tokens as the provider counted them.

type Scope = { organizationId: string };

/** Cost (USD micros) and tokens (input + output) so far of each of `taskIds`; tasks without calls are absent. */
export async function spendByTask(db: DbOrTx, q: Scope & { taskIds: string[] }): Promise<Map<string, { costUsdMicros: number; tokens: number }>> {
  if (q.taskIds.length === 0) return new Map();
  const rows = await db
    .select({
      taskId: llmCalls.taskId,
      cost: sql<string>`coalesce(sum(${llmCalls.costUsdMicros}), 0)`,
      tokens: sql<string>`coalesce(sum(${llmCalls.inputTokens} + ${llmCalls.outputTokens}), 0)`,
    })
    .from(llmCalls)
    .where(and(eq(llmCalls.organizationId, q.organizationId), inArray(llmCalls.taskId, q.taskIds)))
    .groupBy(llmCalls.taskId);
  return new Map(rows.flatMap((r) => (r.taskId ? [[r.taskId, { costUsdMicros: Number(r.cost), tokens: Number(r.tokens) }] as const] : [])));
}

/** Spend per UTC day (`YYYY-MM-DD`) and agent role, or per day and model, in `[from, to)`. */
export async function spendByDay(
  db: DbOrTx,
  q: Scope & { from: Date; to: Date; by: "role" | "model" },
): Promise<{ day: string; key: string; costUsdMicros: number }[]> {
  const day = sql<string>`to_char(${llmCalls.createdAt} at time zone 'UTC', 'YYYY-MM-DD')`;
  const key = q.by === "role" ? llmCalls.agentRole : sql<string>`${llmCalls.provider} || '/' || ${llmCalls.model}`;
  const rows = await db
    .select({ day, key, cost: sql<string>`coalesce(sum(${llmCalls.costUsdMicros}), 0)` })
    .from(llmCalls)
    .where(and(eq(llmCalls.organizationId, q.organizationId), gte(llmCalls.createdAt, q.from), lt(llmCalls.createdAt, q.to)))
    .groupBy(day, key)
    .orderBy(asc(day));
  return rows.map((r) => ({ day: r.day, key: String(r.key), costUsdMicros: Number(r.cost) }));
}

/** Tokens (input, output) and cost of the tasks with model calls in `[from, to)`, most tokens first, at most `limit`. */
export async function tokensByTask(
  db: DbOrTx,
  q: Scope & { from: Date; to: Date; limit: number },
): Promise<{ taskId: string; title: string; inputTokens: number; outputTokens: number; costUsdMicros: number }[]> {
  const total = sql<string>`sum(${llmCalls.inputTokens} + ${llmCalls.outputTokens})`;
  const rows = await db
    .select({
      taskId: tasks.id,
      title: tasks.title,
      input: sql<string>`sum(${llmCalls.inputTokens})`,
      output: sql<string>`sum(${llmCalls.outputTokens})`,
      cost: sql<string>`sum(${llmCalls.costUsdMicros})`,
    })
    .from(llmCalls)
    .innerJoin(tasks, eq(tasks.id, llmCalls.taskId))
    .where(
      and(
        eq(llmCalls.organizationId, q.organizationId),
        eq(tasks.organizationId, q.organizationId),
        gte(llmCalls.createdAt, q.from),
        lt(llmCalls.createdAt, q.to),
      ),
    )
    .groupBy(tasks.id, tasks.title)
    .orderBy(sql`${total} desc`)
    .limit(q.limit);
  return rows.map((r) => ({ taskId: r.taskId, title: r.title, inputTokens: Number(r.input), outputTokens: Number(r.output), costUsdMicros: Number(r.cost) }));
}

/** A task's model calls in time order: when (ISO), which role, and the cost of each (USD micros). */
export async function taskCostSeries(db: DbOrTx, q: Scope & { taskId: string }): Promise<{ at: string; role: string; costUsdMicros: number }[]> {
  const rows = await db
    .select({ at: llmCalls.createdAt, role: llmCalls.agentRole, cost: llmCalls.costUsdMicros })
    .from(llmCalls)
    .where(and(eq(llmCalls.organizationId, q.organizationId), eq(llmCalls.taskId, q.taskId)))
    .orderBy(asc(llmCalls.createdAt));
  return rows.map((r) => ({ at: r.at.toISOString(), role: r.role, costUsdMicros: r.cost }));
}

/**
 * Each agent of each squad with its recent runs: the subtasks its squad gave its role (newest
 * first, at most `recent`), how many of all of them completed, and the spend of its role's calls
 * in its squad's tasks since `since`. The product manager works on tasks, not subtasks: its runs are
 * the squad's tasks it planned (a plan made by a model, not a single-agent run's), each linking to
 * its task.
 */
export async function agentActivity(
  db: DbOrTx,
  q: Scope & { since: Date; recent: number },
): Promise<
  {
    agentId: string;
    squadId: string;
    squadName: string;
    role: string;
    name: string;
    modelRoute: unknown;
    runs: number;
    completed: number;
    failed: number;
    costUsdMicros: number;
    recentRuns: { id: string; parentTaskId: string; title: string; status: string; completedAt: string | null }[];
  }[]
> {
  const agentRows = await db
    .select({ id: agents.id, squadId: agents.squadId, squadName: squads.name, role: agents.role, name: agents.name, modelRoute: agents.modelRoute })
    .from(agents)
    .innerJoin(squads, eq(squads.id, agents.squadId))
    .where(and(eq(agents.organizationId, q.organizationId), eq(squads.organizationId, q.organizationId)))
    .orderBy(asc(squads.createdAt), asc(agents.createdAt));
  const counts = await db
    .select({
      squadId: tasks.squadId,
      role: tasks.role,
      runs: sql<string>`count(*)`,
      completed: sql<string>`count(*) filter (where ${tasks.status} = 'completed')`,
      failed: sql<string>`count(*) filter (where ${tasks.status} in ('failed', 'blocked'))`,
    })
    .from(tasks)
    .where(and(eq(tasks.organizationId, q.organizationId), isNotNull(tasks.parentTaskId), gte(tasks.createdAt, q.since)))
    .groupBy(tasks.squadId, tasks.role);
  const spend = await db
    .select({ squadId: tasks.squadId, role: llmCalls.agentRole, cost: sql<string>`sum(${llmCalls.costUsdMicros})` })
    .from(llmCalls)
    .innerJoin(tasks, eq(tasks.id, llmCalls.taskId))
    .where(and(eq(llmCalls.organizationId, q.organizationId), eq(tasks.organizationId, q.organizationId), gte(llmCalls.createdAt, q.since)))
    .groupBy(tasks.squadId, llmCalls.agentRole);
  const recent = await db
    .select({ id: tasks.id, parentTaskId: tasks.parentTaskId, squadId: tasks.squadId, role: tasks.role, title: tasks.title, status: tasks.status, completedAt: tasks.completedAt, rank: sql<number>`row_number() over (partition by ${tasks.squadId}, ${tasks.role} order by ${tasks.createdAt} desc)` })
    .from(tasks)
    .where(and(eq(tasks.organizationId, q.organizationId), isNotNull(tasks.parentTaskId), gte(tasks.createdAt, q.since)));
  // The product manager's runs: the squad's top-level tasks with a plan a model made.
  const planned = await db
    .select({ id: tasks.id, squadId: tasks.squadId, title: tasks.title, status: tasks.status, completedAt: tasks.completedAt })
    .from(tasks)
    .innerJoin(artifacts, and(eq(artifacts.taskId, tasks.id), eq(artifacts.organizationId, q.organizationId), eq(artifacts.kind, "plan")))
    .where(
      and(
        eq(tasks.organizationId, q.organizationId),
        isNull(tasks.parentTaskId),
        gte(tasks.createdAt, q.since),
        sql`coalesce(${artifacts.data}->'model'->>'provider', '') <> 'none'`,
      ),
    )
    .orderBy(desc(tasks.createdAt));
  for (const t of planned) {
    const key = `${t.squadId}:product_manager`;
    const c = counts.find((x) => `${x.squadId}:${x.role}` === key);
    const done = t.status === "completed" ? 1 : 0;
    const bad = t.status === "failed" ? 1 : 0;
    if (c) {
      c.runs = String(Number(c.runs) + 1);
      c.completed = String(Number(c.completed) + done);
      c.failed = String(Number(c.failed) + bad);
    } else counts.push({ squadId: t.squadId, role: "product_manager", runs: "1", completed: String(done), failed: String(bad) });
  }
  const plannedRank = new Map<string, number>();
  for (const t of planned) {
    const rank = (plannedRank.get(t.squadId ?? "") ?? 0) + 1;
    plannedRank.set(t.squadId ?? "", rank);
    recent.push({ id: t.id, parentTaskId: t.id, squadId: t.squadId, role: "product_manager", title: t.title, status: t.status, completedAt: t.completedAt, rank });
  }
  const k = (squadId: string | null, role: string | null) => `${squadId}:${role}`;
  const countMap = new Map(counts.map((c) => [k(c.squadId, c.role), c]));
  const spendMap = new Map(spend.map((s) => [k(s.squadId, s.role), Number(s.cost)]));
  return agentRows.map((a) => {
    const c = countMap.get(k(a.squadId, a.role));
    return {
      agentId: a.id,
      squadId: a.squadId,
      squadName: a.squadName,
      role: a.role,
      name: a.name,
      modelRoute: a.modelRoute,
      runs: Number(c?.runs ?? 0),
      completed: Number(c?.completed ?? 0),
      failed: Number(c?.failed ?? 0),
      costUsdMicros: spendMap.get(k(a.squadId, a.role)) ?? 0,
      recentRuns: recent
        .filter((r) => r.squadId === a.squadId && r.role === a.role && Number(r.rank) <= q.recent)
        .sort((x, y) => Number(x.rank) - Number(y.rank))
        .map((r) => ({ id: r.id, parentTaskId: r.parentTaskId ?? "", title: r.title, status: r.status, completedAt: r.completedAt?.toISOString() ?? null })),
    };
  });
}
