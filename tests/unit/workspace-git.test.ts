import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, rm, stat, unlink, writeFile as fsWriteFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { AppError } from "@/lib/errors";
import {
  collectPatch,
  commitWorktree,
  ensureExampleRepository,
  prepareWorktree,
  runTests,
  writeFile,
} from "@/lib/workspace";

const gitOut = (cwd: string, ...args: string[]) => execFileSync("git", args, { cwd, encoding: "utf8" }).trim();

let dataDir: string;
let repo: string;
beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), "squadron-git-"));
  repo = await ensureExampleRepository(dataDir);
});
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

describe("ensureExampleRepository", () => {
  test("creates <dataDir>/repos/todo-api on main with one commit by Squadron", () => {
    expect(repo).toBe(path.join(dataDir, "repos", "todo-api"));
    expect(gitOut(repo, "branch", "--show-current")).toBe("main");
    expect(gitOut(repo, "log", "--format=%an <%ae>|%cn <%ce>")).toBe(
      "Squadron <squadron@localhost>|Squadron <squadron@localhost>",
    );
    expect(gitOut(repo, "ls-files").split("\n")).toEqual([
      "README.md",
      "package.json",
      "src/app.js",
      "src/server.js",
      "test/todos.test.js",
    ]);
  });

  test("is idempotent", async () => {
    const head = gitOut(repo, "rev-parse", "HEAD");
    expect(await ensureExampleRepository(dataDir)).toBe(repo);
    expect(gitOut(repo, "rev-parse", "HEAD")).toBe(head);
  });

  test("refuses to overwrite a folder that is not a committed repository", async () => {
    const other = await mkdtemp(path.join(tmpdir(), "squadron-git-other-"));
    try {
      await mkdir(path.join(other, "repos", "todo-api"), { recursive: true });
      await fsWriteFile(path.join(other, "repos", "todo-api", "mine.txt"), "keep me");
      const error = await ensureExampleRepository(other).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AppError);
      expect(error).toMatchObject({ code: "conflict" });
      expect((await stat(path.join(other, "repos", "todo-api", "mine.txt"))).isFile()).toBe(true);
    } finally {
      await rm(other, { recursive: true, force: true });
    }
  });

  test("the example's tests pass in a fresh worktree without npm install", async () => {
    const wt = await prepareWorktree({ repoPath: repo, dataDir, taskId: "fresh", baseBranch: "main" });
    const res = await runTests(wt.path, "npm test");
    expect(res.passed).toBe(true);
    expect(res.output).toMatch(/# pass 6/);
  });
});

describe("prepareWorktree", () => {
  test("checks out squad/<taskId> under <dataDir>/worktrees and is idempotent", async () => {
    const first = await prepareWorktree({ repoPath: repo, dataDir, taskId: "task-1", baseBranch: "main" });
    expect(first.branch).toBe("squad/task-1");
    expect(first.path).toBe(path.join(dataDir, "worktrees", "task-1"));
    expect(first.baseCommit).toBe(gitOut(repo, "rev-parse", "main"));
    expect(gitOut(first.path, "branch", "--show-current")).toBe("squad/task-1");

    await writeFile(first.path, "work-in-progress.txt", "keep me\n");
    const again = await prepareWorktree({ repoPath: repo, dataDir, taskId: "task-1", baseBranch: "main" });
    expect(again).toEqual(first);
    expect((await stat(path.join(first.path, "work-in-progress.txt"))).isFile()).toBe(true);
  });

  test("re-attaches the branch when the folder was lost, keeping its commits and base", async () => {
    const wt = await prepareWorktree({ repoPath: repo, dataDir, taskId: "task-2", baseBranch: "main" });
    await writeFile(wt.path, "feature.txt", "one\n");
    const sha = await commitWorktree(wt.path, "Add feature");
    await rm(wt.path, { recursive: true, force: true });

    const back = await prepareWorktree({ repoPath: repo, dataDir, taskId: "task-2", baseBranch: "main" });
    expect(back).toEqual(wt);
    expect(gitOut(back.path, "rev-parse", "HEAD")).toBe(sha);
  });

  test("the base commit stays the fork point after the base branch moves", async () => {
    const wt = await prepareWorktree({ repoPath: repo, dataDir, taskId: "task-3", baseBranch: "main" });
    const side = await prepareWorktree({ repoPath: repo, dataDir, taskId: "side", baseBranch: "main" });
    await writeFile(side.path, "side.txt", "x\n");
    const moved = await commitWorktree(side.path, "Side change");
    execFileSync("git", ["update-ref", "refs/heads/main", moved ?? ""], { cwd: repo });
    try {
      const again = await prepareWorktree({ repoPath: repo, dataDir, taskId: "task-3", baseBranch: "main" });
      expect(again.baseCommit).toBe(wt.baseCommit);
    } finally {
      execFileSync("git", ["update-ref", "refs/heads/main", wt.baseCommit], { cwd: repo });
    }
  });

  test("rejects task ids that could escape or inject", async () => {
    for (const taskId of ["../evil", "a/b", "-rf", "", ".hidden", "a..b"]) {
      const error = await prepareWorktree({ repoPath: repo, dataDir, taskId, baseBranch: "main" }).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: "invalid_input" });
    }
    const badBase = await prepareWorktree({ repoPath: repo, dataDir, taskId: "t", baseBranch: "--help" }).catch(
      (e: unknown) => e,
    );
    expect(badBase).toMatchObject({ code: "invalid_input" });
  });

  test("a configured base branch the repository lacks falls back to the repository's own HEAD branch", async () => {
    const wt = await prepareWorktree({ repoPath: repo, dataDir, taskId: "no-develop", baseBranch: "develop" });
    expect(wt).toMatchObject({ baseRef: "main", baseCommit: gitOut(repo, "rev-parse", "main") });
  });
});

describe("collectPatch and commitWorktree", () => {
  test("the patch has modified, new (untracked) and deleted files with line counts", async () => {
    const wt = await prepareWorktree({ repoPath: repo, dataDir, taskId: "patch", baseBranch: "main" });
    await writeFile(wt.path, "README.md", "# todo-api\n\nRewritten.\n");
    await writeFile(wt.path, "docs/new-file.md", "line 1\nline 2\nline 3\n");
    await unlink(path.join(wt.path, "src", "server.js"));
    const before = gitOut(wt.path, "status", "--porcelain");

    const patch = await collectPatch(wt.path, wt.baseCommit);
    expect(patch.filesChanged.sort()).toEqual(["README.md", "docs/new-file.md", "src/server.js"]);
    expect(patch.diff).toContain("diff --git a/docs/new-file.md b/docs/new-file.md");
    expect(patch.diff).toContain("new file mode");
    expect(patch.diff).toContain("+line 2");
    expect(patch.diff).toContain("deleted file mode");
    const lines = (file: string) => gitOut(repo, "show", `${wt.baseCommit}:${file}`).split("\n").length;
    expect(patch.additions).toBe(1 + 3); // "Rewritten." + the new file's 3 lines
    expect(patch.deletions).toBe(lines("README.md") - 2 + lines("src/server.js")); // README keeps 2 lines
    // The worktree's own index is untouched: new files are still untracked.
    expect(gitOut(wt.path, "status", "--porcelain")).toBe(before);

    const applied = execFileSync("git", ["apply", "--check", "-"], { cwd: repo, input: patch.diff });
    expect(applied.toString()).toBe("");
  });

  test("commits everything once; nothing left means null; the patch still spans from the base", async () => {
    const wt = await prepareWorktree({ repoPath: repo, dataDir, taskId: "commit", baseBranch: "main" });
    expect(await commitWorktree(wt.path, "Nothing yet")).toBeNull();
    await writeFile(wt.path, "added.txt", "hello\n");
    const sha = await commitWorktree(wt.path, "Add added.txt");
    expect(sha).toMatch(/^[0-9a-f]{40}$/);
    expect(gitOut(wt.path, "log", "-1", "--format=%s|%an <%ae>")).toBe("Add added.txt|Squadron <squadron@localhost>");
    expect(await commitWorktree(wt.path, "Again")).toBeNull();
    const patch = await collectPatch(wt.path, wt.baseCommit);
    expect(patch.filesChanged).toEqual(["added.txt"]);
    expect(gitOut(repo, "rev-parse", "main")).toBe(wt.baseCommit); // main is untouched
  });

  test("refuses a base that is not a commit", async () => {
    const wt = await prepareWorktree({ repoPath: repo, dataDir, taskId: "badbase", baseBranch: "main" });
    for (const base of ["--output=/tmp/x", "0000000000000000000000000000000000000000", "no-such-ref"]) {
      const error = await collectPatch(wt.path, base).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: "invalid_input" });
    }
  });
});

describe("git under npm", () => {
  test("EDITOR/VISUAL/PAGER set by npm scripts do not make git calls fail", async () => {
    const { git } = await import("@/lib/workspace/git");
    const saved = { EDITOR: process.env.EDITOR, VISUAL: process.env.VISUAL, PAGER: process.env.PAGER };
    Object.assign(process.env, { EDITOR: "vi", VISUAL: "vi", PAGER: "less" });
    try {
      const dir = await mkdtemp(path.join(tmpdir(), "squadron-git-env-"));
      execFileSync("git", ["init", "-q", dir]);
      await expect(git(dir, ["status", "--short"])).resolves.toMatchObject({ exitCode: 0 });
      await rm(dir, { recursive: true, force: true });
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });
});

describe("a tenant repository's own git configuration", () => {
  test("hooks and core.fsmonitor never run on the host during Squadron's git operations", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "squadron-git-hostile-"));
    const marker = path.join(dir, "PWNED");
    const hostile = path.join(dir, "repo");
    execFileSync("git", ["init", "-q", hostile]);
    await fsWriteFile(path.join(hostile, "a.txt"), "a\n");
    execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@t", "add", "."], { cwd: hostile });
    execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "init", "--no-verify"], { cwd: hostile });
    // The repository asks git to run programs: a pre-commit and post-checkout hook, and an fsmonitor.
    const script = `#!/bin/sh\necho "$0" >> ${marker}\n`;
    for (const hook of ["pre-commit", "post-checkout", "post-commit", "reference-transaction"]) {
      await fsWriteFile(path.join(hostile, ".git", "hooks", hook), script, { mode: 0o755 });
    }
    await fsWriteFile(path.join(dir, "fsmonitor.sh"), script, { mode: 0o755 });
    execFileSync("git", ["config", "core.fsmonitor", path.join(dir, "fsmonitor.sh")], { cwd: hostile });
    // Sanity: plain git does run them.
    execFileSync("git", ["status", "--short"], { cwd: hostile });
    await expect(stat(marker)).resolves.toBeTruthy();
    await unlink(marker);

    const wt = await prepareWorktree({ repoPath: hostile, dataDir: dir, taskId: "hostile", baseBranch: "HEAD" });
    await writeFile(wt.path, "b.txt", "b\n");
    expect(await commitWorktree(wt.path, "Add b")).toMatch(/^[0-9a-f]{40}$/);
    await collectPatch(wt.path, wt.baseCommit);
    await expect(stat(marker)).rejects.toMatchObject({ code: "ENOENT" });
    await rm(dir, { recursive: true, force: true });
  });
});
