import { squadronInstruction } from "@/lib/integrations/github/follow-up";
import { marker, parseGithubIssueRef, pullRequestBody } from "@/lib/integrations/github/pull-request";
import type { ArtifactRow, TaskRow } from "@/db/queries/tasks";

describe("@squadron instructions", () => {
  test.each([
    ["@squadron please add a PUT endpoint", "please add a PUT endpoint"],
    ["Thanks!\n\n@Squadron: rename the helper\nand add a test", "rename the helper\nand add a test"],
    ["@squadron", null],
    ["ping @squadronbot do it", null],
    ["no mention here", null],
    ["email me at x@squadron.dev", null],
  ])("%j → %j", (body, expected) => {
    expect(squadronInstruction(body)).toBe(expected);
  });
});

describe("GitHub issue refs", () => {
  test("parse github:<owner/name>#<n>, only for the given repository", () => {
    expect(parseGithubIssueRef("github:octo/todo-api#12")).toEqual({ fullName: "octo/todo-api", number: 12 });
    expect(parseGithubIssueRef("github:Octo/Todo-API#12", "octo/todo-api")).toEqual({ fullName: "Octo/Todo-API", number: 12 });
    expect(parseGithubIssueRef("github:octo/other#12", "octo/todo-api")).toBeNull();
    expect(parseGithubIssueRef("jira:abc:PROJ-1")).toBeNull();
    expect(parseGithubIssueRef(null)).toBeNull();
  });
});

describe("pull request body", () => {
  const task = { id: "7c9e6679-7425-40de-944b-e07fc1f90ae7", title: "Add DELETE" } as TaskRow;
  const artifact = (kind: ArtifactRow["kind"], title: string, content: string) => ({ kind, title, content }) as ArtifactRow;
  const base = {
    task,
    taskUrl: "http://squadron.test/tasks/7c9e6679-7425-40de-944b-e07fc1f90ae7",
    usage: [{ role: "developer", calls: 3, inputTokens: 10, outputTokens: 5, costUsdMicros: 1_250_000 }],
    patch: { filesChanged: ["src/a.js", "test/a.test.js"], additions: 12, deletions: 3 },
  };

  test("holds the plan, changes, test report, review, cost, the task link and Closes #N", () => {
    const body = pullRequestBody({
      ...base,
      artifacts: [artifact("plan", "Plan", "1. do it"), artifact("test_report", "Tests passed", "ok 3"), artifact("review", "Review", "LGTM")],
      closes: 12,
    });
    expect(body).toMatch(/## Plan\n1\. do it[\s\S]*## What changed\n2 file\(s\), \+12 −3:\n- `src\/a\.js`[\s\S]*## Test report\n\*\*Tests passed\*\*[\s\S]*ok 3[\s\S]*## Review\nLGTM[\s\S]*## Cost\n\$1\.25 over 3 model call\(s\)\./);
    expect(body).toContain(base.taskUrl);
    expect(body).toContain("Closes #12");
    expect(body).toContain(marker("task", task.id));
  });

  test("says what is missing, no Closes without an issue, and stays under GitHub's body limit", () => {
    const body = pullRequestBody({ ...base, artifacts: [artifact("plan", "Plan", "x".repeat(200_000))], closes: null });
    expect(body).toContain("_No test report._");
    expect(body).toContain("_No review._");
    expect(body).not.toContain("Closes #");
    expect(body.length).toBeLessThan(65_536);
  });
});
