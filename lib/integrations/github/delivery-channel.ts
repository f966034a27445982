import { getDb } from "@/db/client";
import { findRepository, type RepositoryRow } from "@/db/queries/squads";
import { findTaskDelivery } from "@/db/queries/task-deliveries";
import { listArtifacts, usageByRole, type TaskRow } from "@/db/queries/tasks";
import { DeliveryError, type DeliveryChannel, type DeliveryInput, type DeliveryOutcome, type DeliveryTask, type RunEnd } from "@/lib/delivery/types";
import { env } from "@/lib/env";
import { githubClonePath, pushBranch, remoteUrl } from "./clone";
import { githubErrorMessage, resolveGithubCredentials, splitFullName, type GithubCredentials } from "./credentials";
import { commentOnce, marker, parseGithubIssueRef, pullRequestBody, upsertDraftPullRequest } from "./pull-request";

/** The `context` of the commit status Squadron sets on a pull request's head. */
export const STATUS_CONTEXT = "squadron";

async function repositoryOf(task: TaskRow): Promise<(RepositoryRow & { githubFullName: string }) | null> {
  if (!task.repositoryId) return null;
  const repo = await findRepository(getDb(), { organizationId: task.organizationId, repositoryId: task.repositoryId });
  if (!repo?.githubFullName) return null;
  return { ...repo, githubFullName: repo.githubFullName };
}

async function credentialsFor(repo: RepositoryRow & { githubFullName: string }): Promise<GithubCredentials | null> {
  return resolveGithubCredentials(getDb(), { organizationId: repo.organizationId, fullName: repo.githubFullName });
}

/** Runs a GitHub call and turns a refusal into a {@link DeliveryError} carrying GitHub's message. */
async function gh<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    const status = typeof error === "object" && error && "status" in error && typeof error.status === "number" ? error.status : null;
    throw new DeliveryError(`${what}: ${githubErrorMessage(error)}`, status);
  }
}

/** The source issue of a task from a GitHub issue of `repo`, with a client that reaches it. */
async function sourceIssue(task: TaskRow) {
  const repo = await repositoryOf(task);
  const issue = repo ? parseGithubIssueRef(task.externalRef, repo.githubFullName) : null;
  if (!repo || !issue) return null;
  const creds = await credentialsFor(repo);
  if (!creds) return null;
  const { owner, repo: name } = splitFullName(repo.githubFullName);
  return { issue, creds, owner, repo: name };
}

async function deliver(input: DeliveryInput): Promise<DeliveryOutcome> {
  const repo = await repositoryOf(input.task);
  if (!repo) return { status: "skipped", message: "GitHub: the task's repository is not on GitHub" };
  const creds = await credentialsFor(repo);
  if (!creds) {
    return {
      status: "skipped",
      message: `GitHub: nothing reaches ${repo.githubFullName} (connect it in Settings → Integrations → GitHub or set GITHUB_TOKEN); the patch stays on the task`,
    };
  }
  if (!input.worktree || !input.patch.artifactId) {
    return { status: "skipped", message: "GitHub: no code changes, so no pull request" };
  }
  const { owner, repo: name } = splitFullName(repo.githubFullName);
  const branch = input.worktree.branch;
  // A repository with a local clone pushes to that clone's `origin`; a GitHub-only one to its cached clone's.
  const repoPath = repo.localPath ?? githubClonePath(env.DATA_DIR, repo.id);
  if (repo.localPath && !(await remoteUrl(repo.localPath, "origin"))) {
    throw new DeliveryError(`The local clone ${repo.localPath} of ${repo.githubFullName} has no "origin" remote to push ${branch} to`);
  }
  const head = await pushBranch({ repoPath, remote: "origin", branch, token: creds.token }).catch((error: unknown) => {
    throw new DeliveryError(error instanceof Error ? error.message : String(error));
  });
  const db = getDb();
  const [artifacts, usage] = await Promise.all([listArtifacts(db, input), usageByRole(db, input)]);
  const issue = parseGithubIssueRef(input.task.externalRef, repo.githubFullName);
  const body = pullRequestBody({ task: input.task, taskUrl: input.taskUrl, artifacts, usage, patch: input.patch, closes: issue?.number ?? null });
  const pr = await gh("Opening the pull request failed", () =>
    upsertDraftPullRequest(creds.octokit, { owner, repo: name, head: branch, base: repo.defaultBranch, title: input.task.title, body }),
  );
  await gh("Setting the commit status failed", () =>
    creds.octokit.rest.repos.createCommitStatus({
      owner,
      repo: name,
      sha: head,
      state: "success",
      context: STATUS_CONTEXT,
      description: "Squadron: tests, review and policy passed",
      target_url: input.taskUrl,
    }),
  );
  return {
    status: "delivered",
    url: pr.url,
    externalId: String(pr.number),
    message: `${pr.created ? "Opened draft pull request" : "Updated pull request"} #${pr.number} on ${repo.githubFullName} (branch ${branch})`,
    data: { repository: repo.githubFullName, branch, head, pullNumber: pr.number },
  };
}

async function start(t: DeliveryTask): Promise<void> {
  const found = await sourceIssue(t.task);
  if (!found) return;
  const { creds, owner, repo, issue } = found;
  await gh("Commenting on the issue failed", () =>
    commentOnce(creds.octokit, {
      owner,
      repo,
      number: issue.number,
      tag: marker("start", t.runId),
      body: `Squadron's squad is working on this${t.task.attempt > 0 ? ` again (run ${t.task.attempt + 1})` : ""}: [follow the task](${t.taskUrl}).`,
    }),
  );
}

async function end(t: DeliveryTask, outcome: RunEnd): Promise<void> {
  const found = await sourceIssue(t.task);
  if (!found) return;
  const { creds, owner, repo, issue } = found;
  const delivery = await findTaskDelivery(getDb(), { organizationId: t.organizationId, taskId: t.taskId, channel: "github" });
  let body: string;
  if (outcome.status === "completed") {
    body =
      delivery?.status === "delivered" && delivery.url
        ? `Squadron's squad finished: draft pull request ${delivery.url} ([task](${t.taskUrl})).`
        : `Squadron's squad finished without a pull request (no code changes). [Task](${t.taskUrl}).`;
  } else if (outcome.status === "failed") {
    body = `Squadron's squad could not finish: ${outcome.reason ?? "no reason given"}. [Task](${t.taskUrl}) — retry it there, or comment \`@squadron <instruction>\`.`;
  } else {
    body = `Squadron's squad stopped: ${outcome.reason ?? "cancelled"}. [Task](${t.taskUrl}).`;
  }
  await gh("Commenting on the issue failed", () =>
    commentOnce(creds.octokit, { owner, repo, number: issue.number, tag: marker("end", t.runId), body }),
  );
}

/**
 * GitHub as a delivery channel, for tasks whose repository has a `githubFullName`:
 * - start: a comment on the source issue (task from a GitHub issue) with the task's link;
 * - deliver: push `squad/<task id>` to the repository's remote (the local clone's `origin`, or the
 *   cached clone's), open the draft pull request or update the open one for that branch, and set the
 *   `squadron` commit status on its head; skipped (said on the timeline) when no connection or token
 *   reaches the repository or nothing changed;
 * - end: a comment on the source issue with the PR link, or why the run failed or stopped.
 * Every GitHub refusal is a {@link DeliveryError} with GitHub's own message.
 */
export const githubDeliveryChannel: DeliveryChannel = {
  id: "github",
  label: "GitHub",
  appliesTo: async (task) => (await repositoryOf(task)) !== null,
  start,
  deliver,
  end,
};
