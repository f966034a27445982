import { getDb } from "@/db/client";
import { insertApprovalOnce } from "@/db/queries/approvals";
import { findSquad } from "@/db/queries/squads";
import { findTask, updateTask } from "@/db/queries/tasks";
import type { ApprovalKind, ApprovalStatus } from "@/db/schema";
import { appendTaskEvent } from "@/lib/events/append-task-event";
import { AppError } from "@/lib/errors";
import { parseSquadPolicy } from "@/lib/policy/schemas";

/** What a run needs to wait on an approval. Plain JSON (a step result). */
export type RequestedApproval = {
  approvalId: string;
  /** `pending`, unless a replay or a parallel branch finds it already decided. */
  status: ApprovalStatus;
  comment: string | null;
  /** Seconds left until it expires (at least 1). */
  timeoutSeconds: number;
};

/**
 * Asks a person to approve something the run is about to do: stores a `pending` approval (once per
 * run and `key`, so a replayed step or a parallel branch asking the same question shares it), marks
 * the task `awaiting_approval` and appends an `approval` timeline entry with the reason. The timeout
 * is the squad's `approvalTimeoutSeconds`.
 * @throws AppError `not_found` when the task is gone
 */
export async function requestApproval(
  scope: { organizationId: string; taskId: string },
  runId: string,
  input: { key: string; kind: ApprovalKind; reason: string; requestedBy: string; details?: Record<string, unknown> },
): Promise<RequestedApproval> {
  const db = getDb();
  return db.transaction(async (tx) => {
    const task = await findTask(tx, scope);
    if (!task) throw new AppError("not_found", "Task not found");
    const squad = await findSquad(tx, { organizationId: scope.organizationId, squadId: task.squadId });
    const { approvalTimeoutSeconds } = parseSquadPolicy(squad?.policy);
    const row = await insertApprovalOnce(tx, {
      organizationId: scope.organizationId,
      taskId: scope.taskId,
      kind: input.kind,
      reason: input.reason,
      requestedBy: input.requestedBy,
      details: input.details ?? {},
      runId,
      dedupeKey: `${runId}:approval:${input.key}`,
      expiresAt: new Date(Date.now() + approvalTimeoutSeconds * 1000),
    });
    if (row.status === "pending") {
      await updateTask(tx, scope, { status: "awaiting_approval" });
      await appendTaskEvent(tx, {
        ...scope,
        type: "approval",
        actor: input.requestedBy,
        message: `Waiting for a person to approve (${input.kind.replace("_", " ")}): ${input.reason}`,
        data: {
          status: "awaiting_approval",
          approvalId: row.id,
          kind: input.kind,
          approvalStatus: "pending",
          expiresAt: row.expiresAt?.toISOString() ?? null,
        },
        dedupeKey: `${runId}:approval:${input.key}:requested`,
      });
    }
    const left = row.expiresAt ? Math.ceil((row.expiresAt.getTime() - Date.now()) / 1000) : approvalTimeoutSeconds;
    return { approvalId: row.id, status: row.status, comment: row.comment, timeoutSeconds: Math.max(1, left) };
  });
}
