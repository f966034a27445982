import { execFileSync } from "node:child_process";
import { createHmac, generateKeyPairSync } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { startStack, type Client, type Stack } from "../fixtures/stack";
import { startGithubStandIn, type GithubStandIn } from "../fixtures/vendors/github-stand-in";

// GitHub end to end against a local stand-in of its REST API and a local bare repository as the
// remote: real @octokit/rest, real git pushes, real example payloads from @octokit/webhooks-examples.

const require = createRequire(import.meta.url);
type Example = Record<string, unknown> & { action?: string };
const examples: { name: string; examples: Example[] }[] = require("@octokit/webhooks-examples");
const example = (name: string, action: string): Example => {
  const found = examples.find((w) => w.name === name)?.examples.find((e) => e.action === action);
  if (!found) throw new Error(`no ${name}.${action} example`);
  return structuredClone(found);
};

const FULL_NAME = "Codertocat/Hello-World"; // the repository of the example payloads
const TOKEN = "ghp_squadron_test_token";
const APP_TOKEN = "ghs_installation_token_from_the_app";
// The bundled offline scenario that writes a real change (and a test) into the example repository.
const CODING_TITLE = "Add a DELETE /todos/:id endpoint";

const git = (cwd: string, ...args: string[]) => execFileSync("git", args, { cwd, encoding: "utf8" }).trim();

describe("GitHub delivery against a local GitHub stand-in", () => {
  let stack: Stack;
  let alice: Client;
  let github: GithubStandIn;
  let bare: string;
  let repo: { id: string; webhookSecret: string };

  beforeAll(async () => {
    const work = mkdtempSync(path.join(tmpdir(), "squadron-github-"));
    bare = path.join(work, "hello-world.git");
    const repositories: Record<string, { cloneUrl: string; defaultBranch: string }> = {};
    github = await startGithubStandIn({ tokens: [TOKEN, APP_TOKEN], repositories, installations: { [FULL_NAME]: 4242 },
      reviewComments: { 777: [{ path: "src/server.js", line: 42, body: "Answer 404 with the error shape here" }] },
    });
    // The stack first: it sets the app's environment before any app module loads.
    stack = await startStack("pglite", { env: { GITHUB_API_URL: github.origin, GITHUB_TOKEN: TOKEN } });
    const { ensureExampleRepository } = await import("@/lib/workspace");
    const source = await ensureExampleRepository(mkdtempSync(path.join(work, "src-")));
    execFileSync("git", ["clone", "--bare", "--quiet", source, bare]);
    const defaultBranch = git(bare, "symbolic-ref", "--short", "HEAD");
    repositories[FULL_NAME] = { cloneUrl: `file://${bare}`, defaultBranch };
    alice = await stack.signUp("Alice");
    // A GitHub-only repository: no localPath, so it is cloned from the `clone_url` GitHub names.
    const created = await alice.json<{ id: string; webhookSecret: string }>("/api/v1/repositories", {
      method: "POST",
      body: JSON.stringify({ name: "hello-world", githubFullName: FULL_NAME, defaultBranch, testCommand: "npm test" }),
    });
    expect(created.status).toBe(201);
    repo = created.body;
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
    await github?.close();
  });

  const deliver = (event: string, payload: unknown, deliveryId: string, secret = repo.webhookSecret) => {
    const body = JSON.stringify(payload);
    return fetch(`${stack.url}/api/webhooks/github/${repo.id}`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-github-event": event,
        "x-github-delivery": deliveryId,
        "x-hub-signature-256": `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`,
      },
      body,
    });
  };
  const labeled = (issueNumber: number) => {
    const payload = example("issues", "labeled");
    const issue = payload.issue as Record<string, unknown>;
    Object.assign(issue, { number: issueNumber, title: CODING_TITLE, html_url: `https://github.com/${FULL_NAME}/issues/${issueNumber}` });
    (payload.label as Record<string, unknown>).name = "squad";
    return payload;
  };
  const retry = (taskId: string) => alice.json(`/api/v1/tasks/${taskId}/retry`, { method: "POST", body: "{}" });

  test("issue labelled → task → push squad/<id> → draft PR with Closes #N → comments; a failed status call fails the task, a retry updates the same PR", async () => {
    // The commit status call answers 500 once: the PR exists already when the task fails.
    github.fail("POST", /\/statuses\//, 500, "Server Error");
    const res = await deliver("issues", labeled(1), "gh-delivery-1");
    expect(res.status).toBe(202);
    const accepted = (await res.json()) as { outcome: string; taskId: string };
    expect(accepted.outcome).toBe("accepted");

    const failed = await stack.waitForTask(alice, accepted.taskId);
    expect(failed.status).toBe("failed");
    expect(failed.error).toContain("GitHub answered 500: Server Error");
    expect(failed.artifacts.some((a) => a.kind === "patch" && a.content.includes("DELETE"))).toBe(true);
    const branch = `squad/${accepted.taskId}`;
    expect(git(bare, "branch", "--list", branch)).toContain(branch);
    expect(github.pulls).toHaveLength(1);

    // Redelivery of the same delivery: nothing new anywhere.
    const writesBefore = github.writes().length;
    const again = await deliver("issues", labeled(1), "gh-delivery-1");
    expect(((await again.json()) as { outcome: string }).outcome).toBe("duplicate");
    expect(github.writes().length).toBe(writesBefore);

    expect((await retry(accepted.taskId)).status).toBe(202);
    const done = await stack.waitForTask(alice, accepted.taskId);
    expect(done.status).toBe("completed");

    expect(github.pulls).toHaveLength(1);
    const [pr] = github.pulls;
    expect(pr.draft).toBe(true);
    expect(pr.head).toBe(branch);
    expect(pr.body).toContain("Closes #1");
    expect(pr.body).toContain(`/tasks/${accepted.taskId}`);
    expect(pr.body).toMatch(/## Plan[\s\S]*## What changed[\s\S]*## Test report[\s\S]*## Review[\s\S]*## Cost/);
    expect(github.requests.some((r) => r.method === "PATCH" && r.path.endsWith(`/pulls/${pr.number}`))).toBe(true);
    const head = git(bare, "rev-parse", `refs/heads/${branch}`);
    expect(github.statuses.at(-1)).toMatchObject({ sha: head, state: "success", context: "squadron" });
    expect(github.requests.filter((r) => r.authorization === `token ${TOKEN}`).length).toBeGreaterThan(0);

    const onIssue = github.comments.filter((c) => c.issue === 1).map((c) => c.body);
    expect(onIssue.filter((b) => b.includes("is working on this"))).toHaveLength(2); // one per run
    expect(onIssue.some((b) => b.includes("could not finish") && b.includes("500"))).toBe(true);
    expect(onIssue.filter((b) => b.includes(`https://github.com/${FULL_NAME}/pull/${pr.number}`))).toEqual([expect.stringContaining("finished")]);
    expect(onIssue.every((b) => b.includes(`/tasks/${accepted.taskId}`))).toBe(true);

    const detail = await alice.json<{ deliveries?: { channel: string; url: string | null; status: string }[] }>(`/api/v1/tasks/${accepted.taskId}`);
    expect(detail.body.deliveries?.[0]).toMatchObject({ channel: "github", status: "delivered", url: `https://github.com/${FULL_NAME}/pull/${pr.number}` });
  }, 120_000);

  test("a review requesting changes from a collaborator starts a follow-up run on the same branch and updates the same PR", async () => {
    const [pr] = github.pulls;
    const taskId = pr.head.replace("squad/", "");
    const patchesBefore = github.requests.filter((r) => r.method === "PATCH").length;
    const review = example("pull_request_review", "submitted");
    Object.assign(review.review as Record<string, unknown>, { id: 777, state: "changes_requested", author_association: "COLLABORATOR", body: "Please handle unknown ids" });
    Object.assign(review.pull_request as Record<string, unknown>, { number: pr.number });
    (review.repository as Record<string, unknown>).full_name = FULL_NAME;
    const res = await deliver("pull_request_review", review, "gh-review-1");
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({ outcome: "accepted", taskId });
    await new Promise((r) => setTimeout(r, 300));
    const done = await stack.waitForTask(alice, taskId);
    expect(done.status).toBe("completed");
    const followUp = done.subtasks.find((s) => s.key === "follow-up-2");
    expect(followUp?.status).toBe("completed");
    const detail = await alice.json<{ subtasks: { key: string; description: string }[] }>(`/api/v1/tasks/${taskId}`);
    const description = detail.body.subtasks.find((s) => s.key === "follow-up-2")?.description ?? "";
    expect(description).toContain("Please handle unknown ids");
    expect(description).toContain("src/server.js:42: Answer 404 with the error shape here");
    expect(github.pulls).toHaveLength(1);
    expect(github.requests.filter((r) => r.method === "PATCH").length).toBe(patchesBefore + 1);
    // Redelivering the review starts nothing more.
    expect(await (await deliver("pull_request_review", review, "gh-review-1")).json()).toMatchObject({ outcome: "duplicate" });
  }, 120_000);

  test.each([
    [401, "Bad credentials", undefined],
    [422, "Validation Failed", [{ resource: "PullRequest", code: "custom", message: "No commits between main and squad" }]],
  ])("GitHub answering %i to the pull request: a clear task error, the patch is kept", async (status, message, errors) => {
    github.fail("POST", /\/pulls$/, status, message, { errors });
    const pullsBefore = github.pulls.length;
    const issueNumber = status; // a fresh issue per case
    const res = await deliver("issues", labeled(issueNumber), `gh-delivery-${status}`);
    const { taskId } = (await res.json()) as { taskId: string };
    const task = await stack.waitForTask(alice, taskId);
    expect(task.status).toBe("failed");
    expect(task.error).toContain(`GitHub answered ${status}: ${message}`);
    if (errors) expect(task.error).toContain("No commits between");
    expect(task.artifacts.some((a) => a.kind === "patch")).toBe(true);
    expect(github.pulls.length).toBe(pullsBefore);
  }, 120_000);

  test("a GitHub App connection: saved encrypted, reaches the repository through an installation token, its webhook is verified with the app's secret", async () => {
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const pem = privateKey.export({ type: "pkcs1", format: "pem" }).toString();
    const webhookSecret = "app-webhook-secret-0123456789";
    const saved = await alice.json<{ id: string; kind: string; webhookUrl: string }>("/api/v1/integrations/github/connections", {
      method: "POST",
      body: JSON.stringify({ kind: "app", appId: "12345", privateKey: pem, webhookSecret }),
    });
    expect(saved.status).toBe(201);
    expect(saved.body.webhookUrl).toContain(`/api/webhooks/github/app/${saved.body.id}`);
    expect(JSON.stringify(saved.body)).not.toContain("PRIVATE KEY");
    const bad = await alice.json<{ error: { message: string } }>("/api/v1/integrations/github/connections", {
      method: "POST",
      body: JSON.stringify({ kind: "app", appId: "x", privateKey: "nope", webhookSecret: "short" }),
    });
    expect(bad.status).toBe(422);
    expect(bad.body.error.message).toMatch(/appId/);

    const view = await alice.json<{
      apiUrl: string;
      fallbackToken: boolean;
      connections: { kind: string; reaches: { repositories: string[]; error: string | null } }[];
      repositories: { fullName: string; reachedBy: string | null }[];
    }>("/api/v1/integrations/github");
    expect(view.status).toBe(200);
    // The app's installations' repositories, listed through @octokit/app.
    expect(view.body.connections.find((c) => c.kind === "app")?.reaches).toEqual({ repositories: [FULL_NAME], error: null });
    expect(view.body.apiUrl).toBe(github.origin);
    expect(view.body.fallbackToken).toBe(true);
    expect(view.body.repositories).toEqual([expect.objectContaining({ fullName: FULL_NAME, reachedBy: "app" })]);
    // The JWT went to the installation endpoints; the installation token is what the REST calls would use.
    expect(github.requests.some((r) => r.path === "/app/installations/4242/access_tokens" && /^bearer /i.test(r.authorization ?? ""))).toBe(true);

    const payload = example("issues", "opened");
    (payload.repository as Record<string, unknown>).full_name = "someone/unregistered";
    const body = JSON.stringify(payload);
    const send = (secret: string, id: string) =>
      fetch(`${stack.url}/api/webhooks/github/app/${saved.body.id}`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-github-event": "issues", "x-github-delivery": id, "x-hub-signature-256": `sha256=${createHmac("sha256", secret).update(body).digest("hex")}` },
        body,
      });
    expect((await send("wrong-secret-wrong-secret", "app-1")).status).toBe(401);
    const ignored = await send(webhookSecret, "app-2");
    expect(ignored.status).toBe(202);
    expect(await ignored.json()).toMatchObject({ outcome: "ignored", reason: expect.stringContaining("not a registered repository") });

    expect((await alice.fetch(`/api/v1/integrations/github/connections/${saved.body.id}`, { method: "DELETE" })).status).toBe(204);
    expect((await alice.fetch(`/api/v1/integrations/github/connections/${saved.body.id}`, { method: "DELETE" })).status).toBe(404);
  }, 60_000);

  test("@squadron from someone without write access is ignored; bad signatures store nothing", async () => {
    const comment = example("issue_comment", "created");
    Object.assign(comment.comment as Record<string, unknown>, { body: "@squadron please also add a PUT endpoint", author_association: "NONE" });
    Object.assign(comment.issue as Record<string, unknown>, { number: 1 });
    const before = github.requests.length;
    const res = await deliver("issue_comment", comment, "gh-comment-1");
    expect(res.status).toBe(202);
    const body = (await res.json()) as { outcome: string; reason: string };
    expect(body.outcome).toBe("ignored");
    expect(body.reason).toMatch(/write access/);
    expect(github.requests.length).toBe(before);

    const forged = await deliver("issue_comment", comment, "gh-comment-2", "not-the-secret");
    expect(forged.status).toBe(401);
  }, 60_000);
});
