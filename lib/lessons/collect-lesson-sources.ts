import { and, asc, eq } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { listTaskApprovals } from "@/db/queries/approvals";
import { listTaskDeliveries } from "@/db/queries/task-deliveries";
import { findTask, listArtifacts, listSubtasks } from "@/db/queries/tasks";
import { agentRoles, taskEvents, type AgentRole, type ApprovalKind, type LessonSourceKind } from "@/db/schema";
import { z } from "zod";

/**
 * Something said on a task that may become a lesson, before distillation. Plain JSON (a step result).
 * `excerpt` holds the words as said; `context` says where, for the distiller ("plan approval", "review of src/db.ts").
 */
export type LessonCandidate = {
  sourceKind: LessonSourceKind;
  sourceId: string;
  role: AgentRole | null;
  excerpt: string;
  context: string;
  sourceUrl: string | null;
};

/** What the distiller needs about the task besides its candidates. */
export type LessonSources = {
  organizationId: string;
  taskId: string;
  repositoryId: string | null;
  task: { title: string; description: string };
  candidates: LessonCandidate[];
};

/** Longest excerpt kept with a lesson, in characters. */
export const MAX_EXCERPT_CHARS = 2_000;

/** Approvals whose comment is about the work (not about money or a looping agent's permission to go on). */
const LEARNING_APPROVAL_KINDS: readonly ApprovalKind[] = ["plan", "deliver", "dependency_change"];

const reviewDataSchema = z.object({
  verdict: z.enum(["approve", "request_changes", "comment"]),
  comments: z.array(z.object({ path: z.string().optional(), body: z.string() })).default([]),
});
const testReportDataSchema = z.object({
  passed: z.boolean(),
  attempt: z.number().int().nonnegative().optional(),
  subtask: z.string().optional(),
});
const sendBackDataSchema = z.object({ subtask: z.string(), to: z.enum(agentRoles), attempt: z.number().int() });

/** The app's page of a task, where a lesson's source can be seen. */
export function taskPath(taskId: string): string {
  return `/tasks/${taskId}`;
}

/** The line of test output that best names a failure (jest, node:test, mocha, TAP, pytest): a failed test, else an error, else a failed file; else the first non-empty line. */
export function firstFailureLine(output: string): string {
  const lines = output.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
  // Most telling first: a failed test's name, then an assertion or error, then a failed file or suite.
  const patterns = [/^(✕|✗|×|not ok\b)/, /(AssertionError|Error:)/, /(^|\s)(FAIL|FAILED|failed)\b/];
  for (const pattern of patterns) {
    const line = lines.find((l) => pattern.test(l));
    if (line) return line.slice(0, 300);
  }
  return (lines[0] ?? "").slice(0, 300);
}

/**
 * Reads what was said on an ended task that a later task should know, as lesson candidates:
 * - every `plan` / `deliver` / `dependency_change` approval decided with a comment (the reason of a
 *   rejection, or a person's instructions with an approval) — for every role;
 * - when the task completed: review findings of a review that asked for changes and that a later
 *   review of the task approved (a retry or follow-up fixed them) — for the builders;
 * - when the task completed: a QA test report that failed and a later one of the same subtask that
 *   passed (the developer fixed it) — for the role that fixed it;
 * - when the task completed: follow-ups a GitHub pull request review asked for (subtasks `follow-up-<n>`
 *   that completed) — for the role that did them, linked to the pull request.
 * @returns null when the task does not exist (deleted since)
 */
export async function collectLessonSources(db: DbOrTx, scope: { organizationId: string; taskId: string }): Promise<LessonSources | null> {
  const task = await findTask(db, scope);
  if (!task) return null;
  const candidates: LessonCandidate[] = [];
  const url = taskPath(task.id);

  for (const approval of await listTaskApprovals(db, scope)) {
    const comment = approval.comment?.trim();
    if (!comment || !LEARNING_APPROVAL_KINDS.includes(approval.kind)) continue;
    if (approval.status !== "rejected" && approval.status !== "approved") continue;
    const what = approval.kind.replace("_", " ");
    candidates.push({
      sourceKind: approval.status === "rejected" ? "approval_rejected" : "approval_instructions",
      sourceId: approval.id,
      role: null,
      excerpt: comment.slice(0, MAX_EXCERPT_CHARS),
      context:
        approval.status === "rejected"
          ? `${approval.decidedByName ?? "A person"} rejected the ${what} of the task`
          : `${approval.decidedByName ?? "A person"} approved the ${what} of the task with instructions`,
      sourceUrl: url,
    });
  }

  if (task.status === "completed") {
    const artifacts = await listArtifacts(db, scope);
    const subtasks = await listSubtasks(db, { organizationId: scope.organizationId, parentTaskId: task.id });
    const builder: AgentRole = subtasks.find((s) => s.role && /developer$/.test(s.role))?.role ?? "developer";

    const reviews = artifacts
      .filter((a) => a.kind === "review")
      .map((a) => ({ artifact: a, data: reviewDataSchema.safeParse(a.data) }))
      .filter((r) => r.data.success)
      .map((r) => ({ artifact: r.artifact, review: reviewDataSchema.parse(r.artifact.data) }));
    reviews.forEach(({ artifact, review }, i) => {
      if (review.verdict !== "request_changes") return;
      const fixed = reviews.slice(i + 1).some((later) => later.review.verdict === "approve");
      if (!fixed) return;
      review.comments.forEach((comment, n) => {
        const body = comment.body.trim();
        if (!body) return;
        candidates.push({
          sourceKind: "review_fix",
          sourceId: `${artifact.id}:${n}`,
          role: builder,
          excerpt: (comment.path ? `${comment.path}: ${body}` : body).slice(0, MAX_EXCERPT_CHARS),
          context: `The tech lead asked for changes${comment.path ? ` in ${comment.path}` : ""}, and a later run fixed them`,
          sourceUrl: url,
        });
      });
    });

    const fixers = new Map<string, AgentRole>();
    const sendBacks = await db
      .select({ data: taskEvents.data })
      .from(taskEvents)
      .where(and(eq(taskEvents.organizationId, scope.organizationId), eq(taskEvents.taskId, task.id)))
      .orderBy(asc(taskEvents.id));
    for (const event of sendBacks) {
      const parsed = sendBackDataSchema.safeParse(event.data);
      if (parsed.success) fixers.set(parsed.data.subtask, parsed.data.to);
    }
    const reports = artifacts
      .filter((a) => a.kind === "test_report")
      .map((a) => ({ artifact: a, data: testReportDataSchema.safeParse(a.data) }))
      .flatMap((r) => (r.data.success ? [{ artifact: r.artifact, ...r.data.data }] : []));
    for (const failed of reports) {
      if (failed.passed || failed.subtask === undefined) continue;
      const attempt = failed.attempt ?? 0;
      const passedLater = reports.some((r) => r.subtask === failed.subtask && r.passed && (r.attempt ?? 0) > attempt);
      // One lesson per subtask: its first failure that was then fixed.
      const earlier = reports.some((r) => r.subtask === failed.subtask && !r.passed && (r.attempt ?? 0) < attempt);
      if (!passedLater || earlier) continue;
      const line = firstFailureLine(failed.artifact.content);
      if (!line) continue;
      candidates.push({
        sourceKind: "qa_fix",
        sourceId: failed.artifact.id,
        role: fixers.get(failed.subtask) ?? builder,
        excerpt: line,
        context: `QA's tests failed (subtask ${failed.subtask}) until the developer fixed the code`,
        sourceUrl: url,
      });
    }

    const pullRequest = (await listTaskDeliveries(db, scope)).find((d) => d.channel === "github" && d.url);
    for (const subtask of subtasks) {
      if (!subtask.planKey?.startsWith("follow-up-") || subtask.source !== "github" || subtask.status !== "completed") continue;
      const instruction = subtask.description.trim();
      if (!instruction) continue;
      candidates.push({
        sourceKind: "pr_review",
        sourceId: subtask.id,
        role: subtask.role ?? builder,
        excerpt: instruction.slice(0, MAX_EXCERPT_CHARS),
        context: `${subtask.title} on the pull request`,
        sourceUrl: pullRequest?.url ?? url,
      });
    }
  }

  return {
    organizationId: scope.organizationId,
    taskId: task.id,
    repositoryId: task.repositoryId,
    task: { title: task.title, description: task.description.slice(0, 4_000) },
    candidates,
  };
}
