import type { Version3Client } from "jira.js";
import { getDb } from "@/db/client";
import { findJiraConnectionById, findJiraIssueLink, insertJiraIssueLink, setJiraIssueLinkStatus, type JiraConnectionRow } from "@/db/queries/jira";
import { findTaskDelivery, listTaskDeliveries, upsertTaskDelivery } from "@/db/queries/task-deliveries";
import { listSubtasks, type TaskRow } from "@/db/queries/tasks";
import type { JiraStatusMapping, TaskStatus } from "@/db/schema";
import type { DeliveryChannel, DeliveryTask, RunEnd } from "@/lib/delivery/types";
import { addJiraComment, createJiraSubtask, jiraClientForConnection, JiraApiError, transitionJiraIssue, type CommentPart } from "./client";
import { defaultJiraStatusMapping, jiraIssueUrl } from "./connection";
import { parseJiraIssueRef } from "./receive-webhook";

/**
 * Status back to the Jira issue a task came from (`lib/delivery` channel `jira`):
 * - start of a run: a comment with the task's link, and the issue moves to the mapped `started` status;
 * - end of a run: a comment with the outcome — the pull request's link (from the GitHub channel's
 *   delivery, which runs first), the patch on the task page, or why it failed / was cancelled — and the
 *   issue moves to `inReview` (work delivered), `done` (nothing to change) or `failed`;
 * - with `syncSubtasks`, the plan's subtasks as Jira sub-tasks of the issue (made once, linked in
 *   `jira_issue_links`), moved to the status that follows each subtask's, at the start and end of each run.
 * A Jira refusal never fails the run: the registry writes the error (Jira's words) to the timeline;
 * the other calls of the same moment are still made.
 */

type Source = { connection: JiraConnectionRow; issueKey: string; projectKey: string };

async function sourceOf(task: TaskRow): Promise<Source | null> {
  const ref = parseJiraIssueRef(task.externalRef);
  if (!ref) return null;
  const connection = await findJiraConnectionById(getDb(), { connectionId: ref.connectionId });
  if (!connection || connection.organizationId !== task.organizationId) return null;
  return { connection, issueKey: ref.issueKey, projectKey: ref.issueKey.split("-")[0] };
}

function mappingOf(connection: JiraConnectionRow): JiraStatusMapping {
  return { ...defaultJiraStatusMapping, ...connection.statusMapping };
}

/** Runs every call, then throws one error listing the failures (so a failed comment does not skip a transition). */
async function all(calls: (() => Promise<unknown>)[]): Promise<void> {
  const failures: string[] = [];
  for (const c of calls) {
    try {
      await c();
    } catch (error) {
      failures.push(error instanceof Error ? error.message : String(error));
    }
  }
  if (failures.length > 0) throw new JiraApiError(failures.join("; "), null);
}

async function moveIssue(client: Version3Client, t: { organizationId: string; taskId: string }, issueKey: string, status: string | null) {
  if (!status) return;
  await transitionJiraIssue(client, issueKey, status);
  await setJiraIssueLinkStatus(getDb(), { ...t, status });
}

/** The Jira status a subtask's status maps to (queued and blocked subtasks stay where they are). */
function subtaskStatus(mapping: JiraStatusMapping, status: TaskStatus): string | null {
  switch (status) {
    case "completed":
      return mapping.done;
    case "failed":
    case "cancelled":
      return mapping.failed;
    case "queued":
    case "blocked":
      return null;
    default:
      return mapping.started;
  }
}

/**
 * Mirrors the task's subtasks as Jira sub-tasks of `source.issueKey`: creates the missing ones (and
 * links them) and moves each whose mapped status differs from the one last applied.
 * @throws JiraApiError listing every call that failed (the others are still made)
 */
export async function syncJiraSubtasks(client: Version3Client, source: Source, t: DeliveryTask): Promise<void> {
  const db = getDb();
  const subtasks = await listSubtasks(db, { organizationId: t.organizationId, parentTaskId: t.taskId });
  const mapping = mappingOf(source.connection);
  await all(
    subtasks.map((sub) => async () => {
      let link = await findJiraIssueLink(db, { organizationId: t.organizationId, taskId: sub.id });
      if (!link) {
        const key = await createJiraSubtask(client, {
          projectKey: source.projectKey,
          parentKey: source.issueKey,
          summary: sub.title,
          description: [[sub.description || sub.title], ["Squadron subtask of ", { text: t.task.title, href: t.taskUrl }]],
        });
        link = await insertJiraIssueLink(db, { organizationId: t.organizationId, connectionId: source.connection.id, taskId: sub.id, kind: "subtask", issueKey: key });
      }
      const wanted = subtaskStatus(mapping, sub.status);
      if (wanted && wanted !== link.lastStatus) await moveIssue(client, { organizationId: t.organizationId, taskId: sub.id }, link.issueKey, wanted);
    }),
  );
}

async function start(t: DeliveryTask): Promise<void> {
  const source = await sourceOf(t.task);
  if (!source) return;
  const db = getDb();
  await insertJiraIssueLink(db, { organizationId: t.organizationId, connectionId: source.connection.id, taskId: t.taskId, kind: "issue", issueKey: source.issueKey });
  // The task page links the issue from the first run on (the end of each run updates the row).
  if (!(await findTaskDelivery(db, { organizationId: t.organizationId, taskId: t.taskId, channel: "jira" }))) {
    await upsertTaskDelivery(db, {
      organizationId: t.organizationId,
      taskId: t.taskId,
      channel: "jira",
      status: "delivered",
      externalId: source.issueKey,
      url: jiraIssueUrl(source.connection.siteUrl, source.issueKey),
    });
  }
  const client = await jiraClientForConnection(source.connection);
  const attempt = t.task.attempt > 0 ? ` (retry ${t.task.attempt})` : "";
  await all([
    () => addJiraComment(client, source.issueKey, [[`Squadron's squad started working on this issue${attempt}. Follow along: `, { text: t.taskUrl, href: t.taskUrl }]]),
    () => moveIssue(client, t, source.issueKey, mappingOf(source.connection).started),
    ...(source.connection.syncSubtasks ? [() => syncJiraSubtasks(client, source, t)] : []),
  ]);
}

async function end(t: DeliveryTask, runEnd: RunEnd): Promise<void> {
  const source = await sourceOf(t.task);
  if (!source) return;
  const db = getDb();
  const client = await jiraClientForConnection(source.connection);
  const mapping = mappingOf(source.connection);
  const pullRequest = (await listTaskDeliveries(db, t)).find((d) => d.channel === "github" && d.status === "delivered" && d.url);
  const taskLink: CommentPart = { text: t.taskUrl, href: t.taskUrl };

  let paragraphs: CommentPart[][];
  let status: string | null;
  if (runEnd.status === "completed") {
    const delivered = t.task.outcome !== "no_changes";
    paragraphs = pullRequest?.url
      ? [["Squadron's squad finished. Pull request: ", { text: pullRequest.url, href: pullRequest.url }], ["Plan, test report, review and cost: ", taskLink]]
      : delivered
        ? [["Squadron's squad finished; the patch is on the task page: ", taskLink]]
        : [["Squadron's squad finished without changing code (see its review for why): ", taskLink]];
    status = delivered ? mapping.inReview : mapping.done;
  } else {
    const what = runEnd.status === "failed" ? "could not finish this issue" : "stopped: the task was cancelled";
    paragraphs = [[`Squadron's squad ${what}${runEnd.reason ? `: ${runEnd.reason}` : "."}`], ["Details, and Retry: ", taskLink]];
    status = mapping.failed;
  }

  await all([
    () => addJiraComment(client, source.issueKey, paragraphs),
    () => moveIssue(client, t, source.issueKey, status),
    ...(source.connection.syncSubtasks ? [() => syncJiraSubtasks(client, source, t)] : []),
  ]);
  await upsertTaskDelivery(db, {
    organizationId: t.organizationId,
    taskId: t.taskId,
    channel: "jira",
    status: "delivered",
    externalId: source.issueKey,
    url: jiraIssueUrl(source.connection.siteUrl, source.issueKey),
    data: { status, pullRequestUrl: pullRequest?.url ?? null },
  });
}

/** The `jira` delivery channel (listed in `lib/delivery/channels.ts`). */
export const jiraDeliveryChannel: DeliveryChannel = {
  id: "jira",
  label: "Jira",
  appliesTo: async (task) => (await sourceOf(task)) !== null,
  start,
  end,
};
