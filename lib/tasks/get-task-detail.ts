import type { DbOrTx } from "@/db/client";
import {
  findTask,
  listArtifacts,
  listDependencies,
  listSubtasks,
  modelsUsed,
  usageByRole,
} from "@/db/queries/tasks";
import { listTaskApprovals } from "@/db/queries/approvals";
import { listTaskDeliveries } from "@/db/queries/task-deliveries";
import { serializeApproval } from "@/lib/approvals/serialize";
import { notFound } from "@/lib/errors";
import { serializeTask } from "./serialize";

/**
 * A task with its subtasks (plan key, role, status, dependencies as subtask ids, result, error),
 * artifacts (plan, patch, test_report, review),
 * model usage per role (tokens; cost in USD micros), its budget (budget, estimate and spend in USD
 * micros), the models that worked on it and its approvals
 * (oldest first).
 * @throws AppError `not_found` when the task is not in the organization (same answer as "does not exist")
 */
export async function getTaskDetail(db: DbOrTx, q: { organizationId: string; taskId: string }) {
  const task = await findTask(db, q);
  if (!task) throw notFound("Task");
  const [subtasks, artifacts, byRole, models, approvals, deliveries] = await Promise.all([
    listSubtasks(db, { organizationId: q.organizationId, parentTaskId: task.id }),
    listArtifacts(db, q),
    usageByRole(db, q),
    modelsUsed(db, q),
    listTaskApprovals(db, q),
    listTaskDeliveries(db, q),
  ]);
  const deps = await listDependencies(db, { organizationId: q.organizationId, taskIds: subtasks.map((s) => s.id) });
  const total = byRole.reduce(
    (acc, r) => ({
      calls: acc.calls + r.calls,
      inputTokens: acc.inputTokens + r.inputTokens,
      outputTokens: acc.outputTokens + r.outputTokens,
      costUsdMicros: acc.costUsdMicros + r.costUsdMicros,
    }),
    { calls: 0, inputTokens: 0, outputTokens: 0, costUsdMicros: 0 },
  );
  return {
    ...serializeTask(task),
    subtasks: subtasks.map((s) => ({
      id: s.id,
      key: s.planKey,
      title: s.title,
      description: s.description,
      role: s.role,
      status: s.status,
      dependsOn: deps.filter((d) => d.taskId === s.id).map((d) => d.dependsOnTaskId),
      output: s.output,
      error: s.error,
      startedAt: s.startedAt?.toISOString() ?? null,
      completedAt: s.completedAt?.toISOString() ?? null,
    })),
    artifacts: artifacts.map((a) => ({
      id: a.id,
      kind: a.kind,
      title: a.title,
      content: a.content,
      data: a.data ?? {},
      createdAt: a.createdAt.toISOString(),
    })),
    usage: { ...total, byRole },
    budget: {
      budgetUsdMicros: task.budgetUsdMicros,
      estimatedUsdMicros: task.estimatedCostUsdMicros,
      spentUsdMicros: total.costUsdMicros,
    },
    approvals: approvals.map(serializeApproval),
    models: models.map((m) => ({ ...m, offline: m.provider === "offline" })),
    // Where the work went (GitHub pull request, Jira issue): one entry per delivery channel.
    deliveries: deliveries.map((d) => ({
      channel: d.channel,
      status: d.status,
      url: d.url,
      externalId: d.externalId,
      error: d.error,
      updatedAt: d.updatedAt.toISOString(),
    })),
  };
}
export type TaskDetail = Awaited<ReturnType<typeof getTaskDetail>>;
