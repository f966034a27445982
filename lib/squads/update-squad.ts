import { recordAudit, type AuditActor } from "@/lib/audit/record-audit";
import type { Database } from "@/db/client";
import { agentRoles } from "@/db/schema/agent-roles";
import { deleteAgent, findRepository, findSquad, insertAgent, listAgents, updateAgent, updateSquad } from "@/db/queries/squads";
import { upsertOrganizationBudget } from "@/db/queries/usage";
import { knownToolNames, unknownToolNames } from "@/lib/agents/agent-tools";
import { roleKind, roleLabel } from "@/lib/agents/roles";
import { AppError, notFound } from "@/lib/errors";
import type { UpdateSquadData } from "./schemas";
import { serializeSquad, type SquadJson } from "./serialize";
import { organizationBudgetOf, squadUsageThisMonth } from "./squad-extras";

/**
 * Changes a squad's name, repository, autonomy, task budget, policy and agents (and the organization's monthly budget)
 * in one transaction. Agents are matched
 * by role: a listed role the squad lacks is added (named after the role unless `name` is given),
 * `enabled: false` removes it, any other entry updates the fields it sets. Runs already under way
 * read the policy and budget when they next decide, so a change applies to them too.
 *
 * @returns the updated squad with its agents
 * @throws AppError `not_found` (not a squad of the organization, or `repositoryId` not a repository of it), `invalid_input` (the squad would
 *   lose its product manager or its last developer)
 */
export async function updateSquadSettings(
  db: Database,
  q: { organizationId: string; squadId: string; actor?: AuditActor },
  input: UpdateSquadData,
): Promise<SquadJson> {
  return db.transaction(async (tx) => {
    const squad = await findSquad(tx, q);
    if (!squad) throw notFound("Squad");
    if (input.repositoryId && !(await findRepository(tx, { organizationId: q.organizationId, repositoryId: input.repositoryId }))) {
      throw notFound("Repository");
    }
    const updated =
      input.name !== undefined || input.repositoryId !== undefined || input.autonomy !== undefined || input.workflow !== undefined || input.budgetUsdMicros !== undefined || input.policy !== undefined
        ? await updateSquad(tx, q, {
            ...(input.name !== undefined ? { name: input.name } : {}),
            ...(input.repositoryId !== undefined ? { repositoryId: input.repositoryId } : {}),
            ...(input.autonomy !== undefined ? { autonomy: input.autonomy } : {}),
            ...(input.workflow !== undefined ? { workflow: input.workflow } : {}),
            ...(input.budgetUsdMicros !== undefined ? { budgetUsdMicros: input.budgetUsdMicros } : {}),
            ...(input.policy !== undefined ? { policy: input.policy } : {}),
          })
        : squad;
    if (!updated) throw notFound("Squad");

    const scope = { organizationId: q.organizationId };
    for (const patch of input.agents ?? []) {
      const existing = (await listAgents(tx, { ...scope, squadId: q.squadId })).find((a) => a.role === patch.role);
      if (!patch.enabled) {
        if (existing) await deleteAgent(tx, { ...scope, agentId: existing.id });
        continue;
      }
      const unknownTools = unknownToolNames([...(patch.tools?.enabled ?? []), ...(patch.tools?.disabled ?? [])]);
      if (unknownTools.length > 0) {
        throw new AppError("invalid_input", `Unknown tool(s) for the ${patch.role}: ${unknownTools.join(", ")}. Tools: ${knownToolNames().join(", ")}.`, {
          issues: [{ path: "agents.tools", message: `unknown: ${unknownTools.join(", ")}` }],
        });
      }
      const values: Parameters<typeof updateAgent>[2] = {
        ...(patch.tools !== undefined ? { toolOverrides: patch.tools ?? {} } : {}),
        ...(patch.maxTurns !== undefined ? { maxTurns: patch.maxTurns } : {}),
        ...(patch.maxRunTokens !== undefined ? { maxRunTokens: patch.maxRunTokens } : {}),
        ...(patch.name !== undefined ? { name: patch.name } : {}),
        ...(patch.instructions !== undefined ? { instructions: patch.instructions || null } : {}),
        ...(patch.systemPrompt !== undefined ? { systemPrompt: patch.systemPrompt || null } : {}),
        ...(patch.modelRoute !== undefined ? { modelRoute: patch.modelRoute } : {}),
      };
      const constraints =
        patch.privacy !== undefined || patch.maxCostPerCallUsdMicros !== undefined
          ? {
              routeConstraints: {
                ...(existing?.routeConstraints ?? {}),
                ...(patch.privacy !== undefined ? { privacy: patch.privacy } : {}),
                ...(patch.maxCostPerCallUsdMicros !== undefined ? { maxCostPerCallUsdMicros: patch.maxCostPerCallUsdMicros } : {}),
              },
            }
          : {};
      Object.assign(values, constraints);
      if (existing) {
        if (Object.keys(values).length > 0) await updateAgent(tx, { ...scope, agentId: existing.id }, values);
      } else {
        await insertAgent(tx, {
          organizationId: q.organizationId,
          squadId: q.squadId,
          role: patch.role,
          name: patch.name ?? roleLabel(patch.role),
          ...values,
        });
      }
    }

    const agents = await listAgents(tx, { ...scope, squadId: q.squadId });
    const roles = agents.map((a) => a.role);
    if (!roles.includes("product_manager")) {
      throw new AppError("invalid_input", "A squad needs a product_manager to plan its tasks.", {
        issues: [{ path: "agents", message: "keep the product_manager" }],
      });
    }
    if (!roles.some((r) => roleKind(r) === "builder")) {
      throw new AppError("invalid_input", "A squad needs at least one developer role to change code.", {
        issues: [{ path: "agents", message: `keep at least one of ${agentRoles.filter((r) => roleKind(r) === "builder").join(", ")}` }],
      });
    }
    if (input.organizationMonthlyBudgetUsdMicros !== undefined) {
      await upsertOrganizationBudget(tx, { organizationId: q.organizationId, monthlyBudgetUsdMicros: input.organizationMonthlyBudgetUsdMicros });
    }
    // Autonomy, policy, budgets, prompts and model routes are privileged: the audit log keeps the change.
    await recordAudit(tx, {
      organizationId: q.organizationId,
      actor: q.actor ?? { userId: null },
      action: "squad.updated",
      targetType: "squad",
      targetId: q.squadId,
      data: {
        changed: Object.keys(input).filter((k) => input[k as keyof UpdateSquadData] !== undefined),
        before: { name: squad.name, repositoryId: squad.repositoryId, autonomy: squad.autonomy, budgetUsdMicros: squad.budgetUsdMicros, policy: squad.policy },
        after: { name: updated.name, repositoryId: updated.repositoryId, autonomy: updated.autonomy, budgetUsdMicros: updated.budgetUsdMicros, policy: updated.policy },
        agents: (input.agents ?? []).map((a) => ({
          role: a.role,
          enabled: a.enabled,
          modelRoute: a.modelRoute,
          privacy: a.privacy,
          tools: a.tools,
          maxTurns: a.maxTurns,
          maxRunTokens: a.maxRunTokens,
        })),
        organizationMonthlyBudgetUsdMicros: input.organizationMonthlyBudgetUsdMicros,
      },
    });
    return serializeSquad(updated, agents, {
      usageThisMonth: await squadUsageThisMonth(tx, q),
      organizationBudget: await organizationBudgetOf(tx, { organizationId: q.organizationId }),
    });
  });
}
