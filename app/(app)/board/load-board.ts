import { getDb } from "@/db/client";
import { withTenant } from "@/db/tenant";
import { spendByTask } from "@/db/queries/usage-insights";
import type { BoardCard } from "@/components/board/columns";
import { listRepositoryJson } from "@/lib/repositories/create-repository";
import { listSquadsWithAgents } from "@/lib/squads/list-squads";
import { listTaskPage } from "@/lib/tasks/list-tasks";

/** How many of the newest tasks the board shows. */
export const BOARD_TASK_LIMIT = 100;

/** The board's cards for an organization, newest first, read under its row-level security. */
export async function loadBoard(organizationId: string): Promise<BoardCard[]> {
  const scope = { organizationId };
  return withTenant(getDb(), organizationId, async (tx) => {
    const page = await listTaskPage(tx, { ...scope, query: { limit: BOARD_TASK_LIMIT } });
    const repositories = new Map((await listRepositoryJson(tx, scope)).map((r) => [r.id, r.name]));
    const squads = new Map((await listSquadsWithAgents(tx, scope)).map((s) => [s.id, s.name]));
    const spend = await spendByTask(tx, { ...scope, taskIds: page.items.map((t) => t.id) });
    return page.items.map((t) => ({
      id: t.id,
      title: t.title,
      status: t.status,
      outcome: t.outcome,
      repositoryName: t.repositoryId ? (repositories.get(t.repositoryId) ?? null) : null,
      squadName: t.squadId ? (squads.get(t.squadId) ?? null) : null,
      costUsdMicros: spend.get(t.id)?.costUsdMicros ?? 0,
      createdAt: t.createdAt,
    }));
  });
}
