import { execFileSync } from "node:child_process";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { ensureExampleRepository, prepareWorktree } from "@/lib/workspace";
import { mergeSubtaskWorktree, prepareSubtaskWorktree } from "@/lib/workspace/worktree";

const gitOut = (cwd: string, ...args: string[]) => execFileSync("git", args, { cwd, encoding: "utf8" }).trim();

let dataDir: string;
let repo: string;
beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), "squadron-subtasks-"));
  repo = await ensureExampleRepository(dataDir);
});
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

const lines = (n: number) => Array.from({ length: n }, (_, i) => `line ${i + 1}`).join("\n") + "\n";

async function taskWithSharedFile(taskId: string) {
  const task = await prepareWorktree({ repoPath: repo, dataDir, taskId, baseBranch: "main" });
  // Uncommitted work of an earlier subtask: the snapshot of later subtasks includes it.
  await writeFile(path.join(task.path, "shared.txt"), lines(30));
  return task;
}

describe("one worktree per builder subtask, merged back three-way", () => {
  test("two developers in parallel edit different parts of one file and other files: both changes land", async () => {
    const task = await taskWithSharedFile("par-1");
    // Started at once, as parallel steps would be.
    const [a, b] = await Promise.all([
      prepareSubtaskWorktree({ taskWorktree: task.path, taskId: "par-1", key: "a" }),
      prepareSubtaskWorktree({ taskWorktree: task.path, taskId: "par-1", key: "b" }),
    ]);
    expect(a.path).not.toBe(b.path);
    expect(await readFile(path.join(a.path, "shared.txt"), "utf8")).toBe(lines(30));

    await writeFile(path.join(a.path, "shared.txt"), lines(30).replace("line 2\n", "line 2 (by a)\n"));
    await writeFile(path.join(a.path, "a.txt"), "a\n");
    await writeFile(path.join(b.path, "shared.txt"), lines(30).replace("line 29\n", "line 29 (by b)\n"));
    await rm(path.join(b.path, "README.md"));

    // Merged concurrently, as parallel steps would be.
    const [ma, mb] = await Promise.all([
      mergeSubtaskWorktree({ taskWorktree: task.path, subtask: a, message: "squad: subtask a" }),
      mergeSubtaskWorktree({ taskWorktree: task.path, subtask: b, message: "squad: subtask b" }),
    ]);
    expect(ma).toMatchObject({ merged: true, filesChanged: ["a.txt", "shared.txt"] });
    expect(mb).toMatchObject({ merged: true, filesChanged: ["README.md", "shared.txt"] });
    const shared = await readFile(path.join(task.path, "shared.txt"), "utf8");
    expect(shared).toContain("line 2 (by a)\n");
    expect(shared).toContain("line 29 (by b)\n");
    expect(await readFile(path.join(task.path, "a.txt"), "utf8")).toBe("a\n");
    expect(await stat(path.join(task.path, "README.md")).catch(() => null)).toBeNull();
    // The task branch itself got no commit; the subtask branches keep their work; their folders are gone.
    expect(gitOut(task.path, "rev-parse", "HEAD")).toBe(task.baseCommit);
    expect(gitOut(repo, "log", "-1", "--format=%s", a.branch)).toBe("squad: subtask a");
    expect(await stat(a.path).catch(() => null)).toBeNull();

    // Merging again (a crash after the merge) changes nothing.
    const again = await mergeSubtaskWorktree({ taskWorktree: task.path, subtask: a, message: "squad: subtask a" });
    expect(again).toMatchObject({ merged: true, filesChanged: [] });
    expect(await readFile(path.join(task.path, "shared.txt"), "utf8")).toBe(shared);
  });

  test("edits of the same lines are a conflict with the hunks; the task worktree stays as it was", async () => {
    const task = await taskWithSharedFile("conflict-1");
    const a = await prepareSubtaskWorktree({ taskWorktree: task.path, taskId: "conflict-1", key: "a" });
    const b = await prepareSubtaskWorktree({ taskWorktree: task.path, taskId: "conflict-1", key: "b" });
    await writeFile(path.join(a.path, "shared.txt"), lines(30).replace("line 10\n", "line ten\n"));
    await writeFile(path.join(b.path, "shared.txt"), lines(30).replace("line 10\n", "LINE 10\n"));
    await writeFile(path.join(b.path, "b-only.txt"), "b\n");

    expect(await mergeSubtaskWorktree({ taskWorktree: task.path, subtask: a, message: "a" })).toMatchObject({ merged: true });
    const before = await readFile(path.join(task.path, "shared.txt"), "utf8");
    const result = await mergeSubtaskWorktree({ taskWorktree: task.path, subtask: b, message: "b" });
    expect(result.merged).toBe(false);
    if (result.merged) return;
    expect(result.conflicts.map((c) => c.path)).toEqual(["shared.txt"]);
    expect(result.conflicts[0]?.hunks).toMatch(/<<<<<<<[^\n]*\nline ten\n=======\nLINE 10\n>>>>>>>/);
    expect(await readFile(path.join(task.path, "shared.txt"), "utf8")).toBe(before);
    expect(await stat(path.join(task.path, "b-only.txt")).catch(() => null)).toBeNull();
    // The subtask's worktree is kept for a person (or a retry) to look at.
    expect((await stat(b.path)).isDirectory()).toBe(true);
  });

  test("a later subtask starts from the task worktree with the earlier merges; preparing again returns the same worktree", async () => {
    const task = await taskWithSharedFile("seq-1");
    const a = await prepareSubtaskWorktree({ taskWorktree: task.path, taskId: "seq-1", key: "a" });
    await writeFile(path.join(a.path, "from-a.txt"), "a\n");
    await mergeSubtaskWorktree({ taskWorktree: task.path, subtask: a, message: "a" });
    const c = await prepareSubtaskWorktree({ taskWorktree: task.path, taskId: "seq-1", key: "c/needs a" });
    expect(await readFile(path.join(c.path, "from-a.txt"), "utf8")).toBe("a\n");
    await writeFile(path.join(c.path, "wip.txt"), "keep\n");
    const again = await prepareSubtaskWorktree({ taskWorktree: task.path, taskId: "seq-1", key: "c/needs a" });
    expect(again).toEqual(c);
    expect(await readFile(path.join(again.path, "wip.txt"), "utf8")).toBe("keep\n");
  });
});
