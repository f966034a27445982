import type { ApprovalKind, TaskStatus } from "@/db/schema";
import { approvalDecided } from "@/inngest/events";
import { TaskStopped, type TaskRun } from "@/lib/tasks/task-run";
import { cancelTask } from "@/lib/tasks/workflow";
import { prepareApproval, requestApproval } from "./request-approval";
import { resolveApproval } from "./resolve-approval";

/**
 * Stops the run until a person decides (durable steps `<stepPrefix>/…`): reads the approval's id and
 * timeout (`prepare`), then in one step batch stores the approval (`request`) and starts waiting for
 * `squad/approval.decided` with that id (`wait`, CEL `if`, the squad's approval timeout), and settles
 * it (`resolve`). Waiting and asking in one batch means the wait exists before anyone can see the
 * approval: a decision made the moment it appears cannot be missed (Inngest matches only events that
 * arrive after the wait is registered).
 *
 * @returns the person's instructions when they approved (null when they approved without comment)
 * @throws TaskStopped when they rejected it or nobody decided in time: the task is then `cancelled`
 *   with the reason ("Rejected by Ann: …", "… approval expired")
 */
export async function awaitApproval(
  run: TaskRun,
  input: {
    /** Names the approval within the run (parallel branches asking with the same key share it). */
    key: string;
    /** Prefix of this wait's step ids (default `approval/<key>`); unique per branch that waits. */
    stepPrefix?: string;
    kind: ApprovalKind;
    reason: string;
    requestedBy: string;
    details?: Record<string, unknown>;
    /** The task's status once approved (e.g. `running`). */
    resumeStatus: TaskStatus;
  },
): Promise<string | null> {
  const { steps } = run.rt;
  const { ctx, runId } = run;
  const prefix = input.stepPrefix ?? `approval/${input.key}`;
  const prepared = await steps.run(`${prefix}/prepare`, () => prepareApproval(ctx, runId, { key: input.key }));
  let decision: { decision: "approve" | "reject"; comment?: string } | null = null;
  if (prepared.status === "new" || prepared.status === "pending") {
    const [received] = await Promise.all([
      steps.waitForEvent(`${prefix}/wait`, {
        event: approvalDecided.name,
        if: `async.data.approvalId == ${JSON.stringify(prepared.approvalId)}`,
        timeout: `${prepared.timeoutSeconds}s`,
      }),
      steps.run(`${prefix}/request`, () =>
        requestApproval(ctx, runId, {
          approvalId: prepared.approvalId,
          key: input.key,
          kind: input.kind,
          reason: input.reason,
          requestedBy: input.requestedBy,
          details: input.details,
        }),
      ),
    ]);
    if (received !== null) {
      const parsed = approvalDecided.schema.safeParse(received);
      // An event that matched the id but not the schema cannot come from our API; treat it as no decision.
      decision = parsed.success ? { decision: parsed.data.decision, comment: parsed.data.comment } : null;
    }
  }
  const outcome = await steps.run(`${prefix}/resolve`, () =>
    resolveApproval(ctx, runId, { approvalId: prepared.approvalId, key: input.key, decision, resumeStatus: input.resumeStatus }),
  );
  if (outcome.status === "approved") return outcome.comment?.trim() ? outcome.comment.trim() : null;
  const what = input.kind.replace("_", " ");
  const reason =
    outcome.status === "rejected"
      ? `Rejected by ${outcome.decidedBy ?? "a person"} (${what})${outcome.comment ? `: ${outcome.comment}` : ""}`
      : `The ${what} approval expired: nobody decided in time`;
  await steps.run(`${prefix}/stop`, () => cancelTask(ctx, reason, `${runId}:approval:${input.key}:cancelled`, "user"));
  throw new TaskStopped("cancelled", reason);
}
