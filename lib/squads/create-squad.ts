import type { Database } from "@/db/client";
import { findRepository, insertAgent, listAgents } from "@/db/queries/squads";
import { squads } from "@/db/schema/squads";
import { recordAudit, type AuditActor } from "@/lib/audit/record-audit";
import { notFound } from "@/lib/errors";
import { DEFAULT_SQUAD_ROLES } from "./default-squad";
import type { CreateSquadData } from "./schemas";
import { serializeSquad, type SquadJson } from "./serialize";
import { organizationBudgetOf, squadUsageThisMonth } from "./squad-extras";

/**
 * Creates a squad with the default roles (product manager, developer, QA engineer, tech lead, see
 * `DEFAULT_SQUAD_ROLES`), audited as `squad.created`.
 * @returns the squad as `GET /api/v1/squads/{id}` shows it
 * @throws AppError `not_found` when `repositoryId` is not a repository of the organization
 */
export async function createSquad(db: Database, q: { organizationId: string; actor: AuditActor }, input: CreateSquadData): Promise<SquadJson> {
  return db.transaction(async (tx) => {
    if (input.repositoryId && !(await findRepository(tx, { organizationId: q.organizationId, repositoryId: input.repositoryId }))) {
      throw notFound("Repository");
    }
    const [squad] = await tx
      .insert(squads)
      .values({
        organizationId: q.organizationId,
        name: input.name,
        repositoryId: input.repositoryId ?? null,
        autonomy: input.autonomy,
        budgetUsdMicros: input.budgetUsdMicros ?? null,
      })
      .returning();
    for (const a of DEFAULT_SQUAD_ROLES) await insertAgent(tx, { organizationId: q.organizationId, squadId: squad.id, role: a.role, name: a.name });
    await recordAudit(tx, {
      organizationId: q.organizationId,
      actor: q.actor,
      action: "squad.created",
      targetType: "squad",
      targetId: squad.id,
      data: { name: squad.name, repositoryId: squad.repositoryId, autonomy: squad.autonomy, budgetUsdMicros: squad.budgetUsdMicros },
    });
    const scope = { organizationId: q.organizationId, squadId: squad.id };
    return serializeSquad(squad, await listAgents(tx, scope), {
      usageThisMonth: await squadUsageThisMonth(tx, scope),
      organizationBudget: await organizationBudgetOf(tx, { organizationId: q.organizationId }),
    });
  });
}
