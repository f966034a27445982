import { v5 as uuidv5 } from "uuid";
import { getDb } from "@/db/client";
import { findApprovalByDedupeKey, insertApprovalOnce } from "@/db/queries/approvals";
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

/** UUID v5 namespace of approval ids (a fixed random UUID; changing it changes every future id). */
const APPROVAL_ID_NAMESPACE = "5d0f6c1e-9a3b-4f57-8f0e-2b7c4d1a9e63";

/**
 * The id of the approval a run asks for under `key`: a UUID v5 of `<runId>:approval:<key>`, known
 * before the approval is stored, so the run can start waiting for its decision in the same step batch
 * that stores it (see `awaitApproval`), and parallel branches asking with the same key share it.
 */
export function approvalIdFor(runId: string, key: string): string {
  return uuidv5(`${runId}:approval:${key}`, APPROVAL_ID_NAMESPACE);
}

/** What a run knows before it asks. Plain JSON (a step result). */
export type PreparedApproval = {
  approvalId: string;
  /** `new` when not asked yet; otherwise the stored approval's status (a replay or a parallel branch). */
  status: ApprovalStatus | "new";
  /** Seconds the run waits for a decision: the squad's `approvalTimeoutSeconds`, or what is left of a stored one (at least 1). */
  timeoutSeconds: number;
};

/**
 * Reads what the run needs before asking for an approval under `key`: its id, whether it is already
 * stored (and decided), and how long to wait. Reads only.
 * @throws AppError `not_found` when the task is gone
 */
export async function prepareApproval(
  scope: { organizationId: string; taskId: string },
  runId: string,
  input: { key: string },
): Promise<PreparedApproval> {
  const db = getDb();
  const task = await findTask(db, scope);
  if (!task) throw new AppError("not_found", "Task not found");
  const approvalId = approvalIdFor(runId, input.key);
  const existing = await findApprovalByDedupeKey(db, { organizationId: scope.organizationId, dedupeKey: `${runId}:approval:${input.key}` });
  if (existing) {
    const left = existing.expiresAt ? Math.ceil((existing.expiresAt.getTime() - Date.now()) / 1000) : 1;
    return { approvalId: existing.id, status: existing.status, timeoutSeconds: Math.max(1, left) };
  }
  const squad = await findSquad(db, { organizationId: scope.organizationId, squadId: task.squadId });
  return { approvalId, status: "new", timeoutSeconds: parseSquadPolicy(squad?.policy).approvalTimeoutSeconds };
}

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
  input: {
    /** From {@link prepareApproval}: {@link approvalIdFor}(runId, key). */
    approvalId: string;
    key: string;
    kind: ApprovalKind;
    reason: string;
    requestedBy: string;
    details?: Record<string, unknown>;
  },
): Promise<RequestedApproval> {
  const db = getDb();
  return db.transaction(async (tx) => {
    const task = await findTask(tx, scope);
    if (!task) throw new AppError("not_found", "Task not found");
    const squad = await findSquad(tx, { organizationId: scope.organizationId, squadId: task.squadId });
    const { approvalTimeoutSeconds } = parseSquadPolicy(squad?.policy);
    const row = await insertApprovalOnce(tx, {
      id: input.approvalId,
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
