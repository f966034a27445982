import type { Octokit } from "@octokit/rest";
import type { ArtifactRow, TaskRow, UsageRollup } from "@/db/queries/tasks";
import { formatUsd } from "@/lib/budgets/usd";

/** `github:<owner/name>#<number>` → its parts, or null when the ref is not a GitHub issue of `fullName`. */
export function parseGithubIssueRef(ref: string | null, fullName?: string): { fullName: string; number: number } | null {
  const m = ref ? /^github:([^#\s]+\/[^#\s]+)#(\d+)$/.exec(ref) : null;
  if (!m) return null;
  if (fullName && m[1].toLowerCase() !== fullName.toLowerCase()) return null;
  return { fullName: m[1], number: Number(m[2]) };
}

/** Hidden marker that ties a comment or PR to a task (and a run), so repeated steps find what they made. */
export function marker(kind: string, id: string): string {
  return `<!-- squadron:${kind}:${id} -->`;
}

/**
 * The draft pull request's body (Markdown): the plan, what changed, the test report, the review,
 * the cost and a link to the task; `Closes #N` when the task came from an issue of this repository.
 * Long sections are cut so the body stays under GitHub's 65,536-character limit.
 */
export function pullRequestBody(input: {
  task: TaskRow;
  taskUrl: string;
  artifacts: ArtifactRow[];
  usage: UsageRollup[];
  patch: { filesChanged: string[]; additions: number; deletions: number };
  closes: number | null;
}): string {
  const latest = (kind: ArtifactRow["kind"]) => [...input.artifacts].reverse().find((a) => a.kind === kind);
  const cut = (text: string, max = 12_000) => (text.length > max ? `${text.slice(0, max)}\n\n… (cut; full text on the task page)` : text);
  const plan = latest("plan");
  const tests = latest("test_report");
  const review = latest("review");
  const cost = input.usage.reduce((sum, u) => sum + u.costUsdMicros, 0);
  const calls = input.usage.reduce((sum, u) => sum + u.calls, 0);
  const lines = [
    `Squadron task: [${input.task.title}](${input.taskUrl})`,
    "",
    "## Plan",
    plan ? cut(plan.content) : "_No plan stored._",
    "",
    "## What changed",
    `${input.patch.filesChanged.length} file(s), +${input.patch.additions} −${input.patch.deletions}:`,
    ...input.patch.filesChanged.slice(0, 100).map((f) => `- \`${f}\``),
    "",
    "## Test report",
    tests ? `**${tests.title}**\n\n\`\`\`\n${cut(tests.content, 6_000)}\n\`\`\`` : "_No test report._",
    "",
    "## Review",
    review ? cut(review.content) : "_No review._",
    "",
    "## Cost",
    `${formatUsd(cost)} over ${calls} model call(s).`,
  ];
  if (input.closes !== null) lines.push("", `Closes #${input.closes}`);
  lines.push("", marker("task", input.task.id));
  return lines.join("\n");
}

/**
 * Opens the draft pull request of `head` against `base`, or updates the one already open for that
 * head branch (a retry, a redelivered event, a follow-up run): never a second one.
 * @returns the pull request's number, URL and whether it was created now
 * @throws the `@octokit/request-error` RequestError GitHub's answer produced (401, 422, 5xx…)
 */
export async function upsertDraftPullRequest(
  octokit: Octokit,
  input: { owner: string; repo: string; head: string; base: string; title: string; body: string },
): Promise<{ number: number; url: string; created: boolean }> {
  const { owner, repo, head, base, title, body } = input;
  const open = await octokit.rest.pulls.list({ owner, repo, head: `${owner}:${head}`, state: "open", per_page: 10 });
  const existing = open.data.find((p) => p.head.ref === head);
  if (existing) {
    const updated = await octokit.rest.pulls.update({ owner, repo, pull_number: existing.number, title, body });
    return { number: updated.data.number, url: updated.data.html_url, created: false };
  }
  const created = await octokit.rest.pulls.create({ owner, repo, head, base, title, body, draft: true });
  return { number: created.data.number, url: created.data.html_url, created: true };
}

/**
 * Posts `body` on issue (or PR) `number` unless a comment carrying `tag` (see {@link marker}) is
 * already there, so a replayed step comments once.
 * @returns whether a comment was posted
 */
export async function commentOnce(
  octokit: Octokit,
  input: { owner: string; repo: string; number: number; tag: string; body: string },
): Promise<boolean> {
  const { owner, repo, number } = input;
  // Every page: on a long issue the marker may be past the first 100 comments.
  const existing = await octokit.paginate(octokit.rest.issues.listComments, { owner, repo, issue_number: number, per_page: 100 });
  if (existing.some((c) => c.body?.includes(input.tag))) return false;
  await octokit.rest.issues.createComment({ owner, repo, issue_number: number, body: `${input.body}\n\n${input.tag}` });
  return true;
}
