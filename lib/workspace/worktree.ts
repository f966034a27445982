import { mkdir, mkdtemp, realpath, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { AppError } from "@/lib/errors";
import { commitConfig, git, gitTopLevel, requireWorktree, resolveCommit } from "./git";

const taskIdPattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
// Git config key remembering the commit a squad branch started from (survives crashes and restarts).
const baseKey = (branch: string) => `branch.${branch}.squadronBase`;

type WorktreeEntry = { path: string; branch: string | null };

async function listWorktrees(repo: string): Promise<WorktreeEntry[]> {
  const { stdout } = await git(repo, ["worktree", "list", "--porcelain"]);
  const entries: WorktreeEntry[] = [];
  for (const block of stdout.split("\n\n")) {
    const lines = block.split("\n");
    const wt = lines.find((l) => l.startsWith("worktree "));
    if (!wt) continue;
    const branch = lines.find((l) => l.startsWith("branch "));
    entries.push({ path: wt.slice("worktree ".length), branch: branch ? branch.slice("branch ".length) : null });
  }
  return entries;
}

async function recordedBase(repo: string, branch: string): Promise<string | null> {
  const { stdout, exitCode } = await git(repo, ["config", "--get", baseKey(branch)], { okExitCodes: [0, 1] });
  const sha = stdout.trim();
  return exitCode === 0 && /^[0-9a-f]{40,64}$/.test(sha) ? sha : null;
}

async function baseOf(repo: string, branch: string, baseBranch: string): Promise<string> {
  const recorded = await recordedBase(repo, branch);
  if (recorded) return recorded;
  const { stdout } = await git(repo, ["merge-base", "--end-of-options", baseBranch, branch]);
  return stdout.trim();
}

/**
 * Gives a task its own git worktree: branch `squad/<taskId>` checked out at
 * `<dataDir>/worktrees/<taskId>`, starting from `baseBranch`.
 *
 * Idempotent: re-running (e.g. after a crash) returns the existing worktree, re-attaches the branch
 * when the folder was lost, and clears a half-created folder. The base commit is remembered in the
 * repository's git config, so it stays the commit the branch started from even if `baseBranch` moves.
 *
 * @returns `path` (absolute), `branch` and `baseCommit` (full commit id)
 * @throws AppError `invalid_input` for a bad task id, a folder that is not a repository or an unknown
 *   base branch; `conflict` when the folder is a worktree of another branch
 */
export async function prepareWorktree(input: {
  repoPath: string;
  dataDir: string;
  taskId: string;
  baseBranch: string;
}): Promise<{ path: string; branch: string; baseCommit: string }> {
  const { taskId, baseBranch } = input;
  if (!taskIdPattern.test(taskId) || taskId.includes("..")) {
    throw new AppError("invalid_input", `Invalid task id for a worktree: ${taskId}`);
  }
  const repo = await gitTopLevel(input.repoPath);
  if (!repo) throw new AppError("invalid_input", `Not a git repository: ${input.repoPath}`);
  const branch = `squad/${taskId}`;
  const worktreesDir = path.resolve(input.dataDir, "worktrees");
  await mkdir(worktreesDir, { recursive: true });
  const wtPath = path.join(await realpath(worktreesDir), taskId);

  const registered = (await listWorktrees(repo)).find((e) => path.resolve(e.path) === wtPath);
  if (registered) {
    if (registered.branch !== `refs/heads/${branch}`) {
      throw new AppError("conflict", `${wtPath} is a worktree of ${registered.branch ?? "a detached HEAD"}, not ${branch}`);
    }
    if (await gitTopLevel(wtPath)) {
      return { path: wtPath, branch, baseCommit: await baseOf(repo, branch, baseBranch) };
    }
    // Registered but its folder is gone or broken: forget it and check the branch out again.
    await rm(wtPath, { recursive: true, force: true });
    await git(repo, ["worktree", "prune"]);
  } else if (await stat(wtPath).catch(() => null)) {
    // Left over from a crash in the middle of `git worktree add`.
    await rm(wtPath, { recursive: true, force: true });
    await git(repo, ["worktree", "prune"]);
  }

  const branchExists =
    (await git(repo, ["rev-parse", "--verify", "--quiet", `refs/heads/${branch}`], { okExitCodes: [0, 1] }))
      .exitCode === 0;
  if (branchExists) {
    await git(repo, ["worktree", "add", "--quiet", wtPath, branch]);
    return { path: wtPath, branch, baseCommit: await baseOf(repo, branch, baseBranch) };
  }
  const baseCommit = await resolveCommit(repo, baseBranch);
  await git(repo, ["config", baseKey(branch), baseCommit]);
  await git(repo, ["worktree", "add", "--quiet", "-b", branch, wtPath, baseCommit]);
  return { path: wtPath, branch, baseCommit };
}

/**
 * The change in a worktree relative to `baseCommit`: committed, staged, unstaged and untracked files
 * (not `.gitignore`d ones), as one unified diff with rename detection. The worktree's own index is
 * left alone (a temporary index is used).
 *
 * @returns `diff` (unified, `--binary`-less: binary files show as "Binary files differ"),
 *   `filesChanged` (repository-relative paths), `additions` and `deletions` (lines)
 * @throws AppError `invalid_input` when `worktree` is not a worktree or `baseCommit` not a commit
 */
export async function collectPatch(
  worktree: string,
  baseCommit: string,
): Promise<{ diff: string; filesChanged: string[]; additions: number; deletions: number }> {
  const root = await requireWorktree(worktree);
  const base = await resolveCommit(root, baseCommit);
  const scratch = await mkdtemp(path.join(tmpdir(), "squadron-index-"));
  const env = { GIT_INDEX_FILE: path.join(scratch, "index") };
  try {
    await git(root, ["read-tree", "HEAD"], { env });
    await git(root, ["add", "--all"], { env });
    const diffArgs = ["diff", "--cached", "--no-color", "--no-ext-diff", "--find-renames", base];
    const { stdout: diff } = await git(root, diffArgs, { env });
    const { stdout: numstat } = await git(root, [...diffArgs, "--numstat", "-z"], { env });
    const { stdout: nameStatus } = await git(root, [...diffArgs, "--name-status", "-z"], { env });

    let additions = 0;
    let deletions = 0;
    // -z numstat: "added\tdeleted\tpath\0", or "added\tdeleted\t\0old\0new\0" for a rename.
    for (const field of numstat.split("\0")) {
      const match = /^(\d+|-)\t(\d+|-)\t/.exec(field);
      if (!match) continue;
      additions += match[1] === "-" ? 0 : Number(match[1]);
      deletions += match[2] === "-" ? 0 : Number(match[2]);
    }
    // -z name-status: "M\0path\0", or "R100\0old\0new\0" for renames and copies (both paths listed).
    const filesChanged = new Set<string>();
    const fields = nameStatus.split("\0");
    for (let i = 0; i < fields.length; ) {
      const status = fields[i] ?? "";
      if (status === "") break;
      const paths = status.startsWith("R") || status.startsWith("C") ? 2 : 1;
      for (const p of fields.slice(i + 1, i + 1 + paths)) if (p) filesChanged.add(p);
      i += 1 + paths;
    }
    return { diff, filesChanged: [...filesChanged], additions, deletions };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/**
 * Commits every change in the worktree (new, modified and deleted files) to its branch as
 * "Squadron <squadron@localhost>", skipping hooks.
 * @returns the new commit id, or null when there was nothing to commit
 * @throws AppError `invalid_input` when `worktree` is not a worktree or `message` is empty
 */
export async function commitWorktree(worktree: string, message: string): Promise<string | null> {
  const root = await requireWorktree(worktree);
  if (message.trim() === "") throw new AppError("invalid_input", "The commit message is empty");
  await git(root, ["add", "--all"]);
  const staged = await git(root, ["diff", "--cached", "--quiet"], { okExitCodes: [0, 1] });
  if (staged.exitCode === 0) return null;
  await git(root, [...commitConfig, "commit", "--quiet", "--no-verify", "-m", message]);
  const { stdout } = await git(root, ["rev-parse", "HEAD"]);
  return stdout.trim();
}
