import { mkdir, mkdtemp, realpath, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { AppError } from "@/lib/errors";
import { commitConfig, git, gitTopLevel, requireWorktree, resolveCommit } from "./git";

const taskIdPattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
// Git config key remembering the commit a squad branch started from (survives crashes and restarts).
const baseKey = (branch: string) => `branch.${branch}.squadronBase`;
// …and the name of the branch that commit came from (for the timeline).
const baseRefKey = (branch: string) => `branch.${branch}.squadronBaseRef`;

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

async function baseOf(
  repo: string,
  branch: string,
  baseBranch: string | null | undefined,
): Promise<{ baseCommit: string; baseRef: string }> {
  const recorded = await recordedBase(repo, branch);
  const { stdout: ref } = await git(repo, ["config", "--get", baseRefKey(branch)], { okExitCodes: [0, 1] });
  if (recorded) return { baseCommit: recorded, baseRef: ref.trim() || baseBranch || "HEAD" };
  const base = await resolveBase(repo, baseBranch);
  const { stdout } = await git(repo, ["merge-base", "--end-of-options", base.commit, branch]);
  return { baseCommit: stdout.trim(), baseRef: base.ref };
}

/**
 * The commit a new task branch starts from: `baseBranch` when the repository has such a branch, else
 * the repository's own default branch — whatever `HEAD` points at (`master` for a repository made
 * with `git init` on most machines, `main`, `trunk`, …).
 * @returns the commit id and the name of the branch it came from (`HEAD` when detached)
 * @throws AppError `invalid_input` when the repository has no commit yet, or `baseBranch` looks like an option
 */
export async function resolveBase(repo: string, baseBranch?: string | null): Promise<{ commit: string; ref: string }> {
  if (baseBranch?.startsWith("-")) throw new AppError("invalid_input", `Invalid base branch: ${baseBranch}`);
  if (baseBranch) {
    const { stdout, exitCode } = await git(repo, ["rev-parse", "--verify", "--quiet", `refs/heads/${baseBranch}^{commit}`], {
      okExitCodes: [0, 1, 128],
    });
    if (exitCode === 0 && stdout.trim()) return { commit: stdout.trim(), ref: baseBranch };
  }
  const head = await git(repo, ["symbolic-ref", "--quiet", "--short", "HEAD"], { okExitCodes: [0, 1, 128] });
  const ref = head.exitCode === 0 && head.stdout.trim() ? head.stdout.trim() : "HEAD";
  const { stdout, exitCode } = await git(repo, ["rev-parse", "--verify", "--quiet", "HEAD^{commit}"], { okExitCodes: [0, 1, 128] });
  if (exitCode !== 0 || !/^[0-9a-f]{40,64}$/.test(stdout.trim())) {
    throw new AppError(
      "invalid_input",
      `The repository at ${repo} has no commits yet (its default branch ${ref} is empty): commit the code first`,
    );
  }
  return { commit: stdout.trim(), ref };
}

/**
 * Gives a task its own git worktree: branch `squad/<taskId>` checked out at
 * `<dataDir>/worktrees/<taskId>`, starting from `baseBranch` when the repository has it, else from
 * the repository's own default branch (`HEAD`, see {@link resolveBase}).
 *
 * Idempotent: re-running (e.g. after a crash) returns the existing worktree, re-attaches the branch
 * when the folder was lost, and clears a half-created folder. The base commit is remembered in the
 * repository's git config, so it stays the commit the branch started from even if `baseBranch` moves.
 *
 * Deterministic problems (a retry cannot fix them) are AppErrors; git failures that may pass (a lock
 * held by another process) are plain Errors.
 *
 * @returns `path` (absolute), `branch`, `baseCommit` (full commit id) and `baseRef` (the branch it came from)
 * @throws AppError `invalid_input` for a bad task id, a folder that is not a git repository or a
 *   repository without commits; `conflict` when the folder is a worktree of another branch
 */
export async function prepareWorktree(input: {
  repoPath: string;
  dataDir: string;
  taskId: string;
  /** Preferred base branch (the repository's configured default); missing → the repository's `HEAD`. */
  baseBranch?: string | null;
}): Promise<{ path: string; branch: string; baseCommit: string; baseRef: string }> {
  const { taskId, baseBranch } = input;
  if (!taskIdPattern.test(taskId) || taskId.includes("..")) {
    throw new AppError("invalid_input", `Invalid task id for a worktree: ${taskId}`);
  }
  const repo = await gitTopLevel(input.repoPath);
  if (!repo) throw new AppError("invalid_input", `Not a git repository: ${input.repoPath} (run \`git init\` and commit the code, or fix the repository's path)`);
  const branch = `squad/${taskId}`;
  const worktreesDir = path.resolve(input.dataDir, "worktrees");
  await mkdir(worktreesDir, { recursive: true });
  const wtPath = path.join(await realpath(worktreesDir), taskId);
  return attachWorktree(repo, wtPath, branch, baseBranch);
}

async function attachWorktree(
  repo: string,
  wtPath: string,
  branch: string,
  baseBranch: string | null | undefined,
): Promise<{ path: string; branch: string; baseCommit: string; baseRef: string }> {
  const registered = (await listWorktrees(repo)).find((e) => path.resolve(e.path) === wtPath);
  if (registered) {
    if (registered.branch !== `refs/heads/${branch}`) {
      throw new AppError("conflict", `${wtPath} is a worktree of ${registered.branch ?? "a detached HEAD"}, not ${branch}`);
    }
    if (await gitTopLevel(wtPath)) {
      return { path: wtPath, branch, ...(await baseOf(repo, branch, baseBranch)) };
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
    return { path: wtPath, branch, ...(await baseOf(repo, branch, baseBranch)) };
  }
  const base = await resolveBase(repo, baseBranch);
  await git(repo, ["config", baseKey(branch), base.commit]);
  await git(repo, ["config", baseRefKey(branch), base.ref]);
  await git(repo, ["worktree", "add", "--quiet", "-b", branch, wtPath, base.commit]);
  return { path: wtPath, branch, baseCommit: base.commit, baseRef: base.ref };
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

// ── Subtask worktrees ──────────────────────────────────────────────────────────────────────────────
//
// Parallel developers never share a working tree: each builder subtask works in a worktree of its own
// (branch `squad/<taskId>--<key>`), started from a snapshot of the task's worktree as it is when the
// subtask starts (dependencies' changes included, nothing committed on the task branch). When the
// subtask ends, its change is merged three-way back into the task's worktree (base: that snapshot),
// so two developers editing different parts of one file both keep their work; edits of the same
// lines are a conflict, reported with the conflicting hunks, and the task's worktree is left as it was.

// Merges into one task worktree run one at a time (snapshot → merge → write must not interleave).
const mergeLocks = new Map<string, Promise<unknown>>();
async function withLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
  const previous = mergeLocks.get(key) ?? Promise.resolve();
  const next = previous.catch(() => undefined).then(fn);
  mergeLocks.set(key, next);
  try {
    return await next;
  } finally {
    if (mergeLocks.get(key) === next) mergeLocks.delete(key);
  }
}

/** A commit of everything in `worktree` now (tracked, modified, untracked; not ignored), parented on `parent`, on no branch. */
async function snapshotCommit(worktree: string, parent: string, message: string): Promise<string> {
  const scratch = await mkdtemp(path.join(tmpdir(), "squadron-snapshot-"));
  const env = { GIT_INDEX_FILE: path.join(scratch, "index") };
  try {
    await git(worktree, ["read-tree", "HEAD"], { env });
    await git(worktree, ["add", "--all"], { env });
    const { stdout: tree } = await git(worktree, ["write-tree"], { env });
    const { stdout: commit } = await git(worktree, [...commitConfig, "commit-tree", tree.trim(), "-p", parent, "-m", message]);
    return commit.trim();
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** `squad/<taskId>--<key>` names: the plan key made safe for a ref and a folder, with a short hash against collisions. */
function subtaskId(taskId: string, key: string): string {
  const slug = key.replace(/[^A-Za-z0-9._-]+/g, "-").replace(/^[-.]+|[-.]+$/g, "").slice(0, 40) || "subtask";
  let hash = 0;
  for (const ch of key) hash = (hash * 31 + ch.charCodeAt(0)) >>> 0;
  return `${taskId}--${slug}-${hash.toString(36)}`;
}

/** A subtask's own worktree (see the section comment): where it is, its branch and the snapshot it started from. */
export type SubtaskWorktree = { path: string; branch: string; baseCommit: string };

/**
 * Gives a builder subtask its own worktree next to the task's (`<worktrees>/<taskId>--<key>-<hash>`),
 * on branch `squad/<taskId>--<key>-<hash>` starting from a snapshot of the task's worktree now.
 * Idempotent like {@link prepareWorktree}: after a crash or on a retry the same worktree comes back,
 * with the subtask's earlier work, and the snapshot it started from.
 * @throws AppError `invalid_input` when `taskWorktree` is not a worktree
 */
export async function prepareSubtaskWorktree(input: { taskWorktree: string; taskId: string; key: string }): Promise<SubtaskWorktree> {
  const root = await requireWorktree(input.taskWorktree);
  const id = subtaskId(input.taskId, input.key);
  const branch = `squad/${id}`;
  const wtPath = path.join(path.dirname(root), id);
  // Under the task's lock: parallel subtasks starting at once would race for the repository's config lock.
  return withLock(root, async () => {
    const branchExists =
      (await git(root, ["rev-parse", "--verify", "--quiet", `refs/heads/${branch}`], { okExitCodes: [0, 1] })).exitCode === 0;
    if (!branchExists) {
      const { stdout: head } = await git(root, ["rev-parse", "HEAD"]);
      const snapshot = await snapshotCommit(root, head.trim(), `squad: snapshot for subtask ${input.key}`);
      await git(root, ["config", baseKey(branch), snapshot]);
      await git(root, ["branch", "--quiet", branch, snapshot]);
    }
    const attached = await attachWorktree(root, wtPath, branch, null);
    return { path: attached.path, branch, baseCommit: attached.baseCommit };
  });
}

/** One file both sides changed in the same place, with its conflicting regions (conflict markers, a little context). */
export type MergeConflict = { path: string; hunks: string };

/** What merging a subtask back gave: the files it brought in, or the conflicts that stopped it. */
export type SubtaskMergeResult =
  | { merged: true; filesChanged: string[]; commit: string | null }
  | { merged: false; conflicts: MergeConflict[]; commit: string | null };

function conflictHunks(content: string, contextLines = 3, maxChars = 4_000): string {
  const lines = content.split("\n");
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i]?.startsWith("<<<<<<<")) continue;
    let end = i;
    while (end < lines.length && !lines[end]?.startsWith(">>>>>>>")) end++;
    const from = Math.max(0, i - contextLines);
    const to = Math.min(lines.length, end + 1 + contextLines);
    out.push(`@@ line ${from + 1} @@`, ...lines.slice(from, to));
    i = end;
  }
  const text = out.join("\n");
  return text.length > maxChars ? `${text.slice(0, maxChars)}\n… (${text.length - maxChars} more characters)` : text;
}

/**
 * Brings a subtask's change into the task's worktree: commits the subtask's worktree on its branch
 * (as Squadron), then merges three-way — base: the snapshot the subtask started from, ours: the task
 * worktree now (uncommitted changes included), theirs: the subtask's commit — with `git merge-tree`,
 * and writes the merged files into the task worktree (its index and branch stay untouched; the patch
 * is collected at the end of the run as before). Merges into one task worktree are serialised.
 *
 * Idempotent: merging again after a crash finds the change already there and writes nothing. On a
 * conflict nothing is written and the subtask worktree is kept for inspection; after a clean merge
 * it is removed (the branch stays).
 *
 * @returns `merged: true` with the files written, or `merged: false` with each conflicting file and hunks
 * @throws AppError `invalid_input` when `taskWorktree` is not a worktree
 */
export async function mergeSubtaskWorktree(input: { taskWorktree: string; subtask: SubtaskWorktree; message: string }): Promise<SubtaskMergeResult> {
  const root = await requireWorktree(input.taskWorktree);
  const { subtask } = input;
  // The worktree may be gone when a crash came after a clean merge removed it: its branch holds the work.
  const commit = (await gitTopLevel(subtask.path)) ? await commitWorktree(subtask.path, input.message) : null;
  const { stdout: theirsOut } = await git(root, ["rev-parse", "--verify", `refs/heads/${subtask.branch}^{commit}`]);
  const theirs = theirsOut.trim();
  const result = await withLock(root, async (): Promise<SubtaskMergeResult> => {
    const ours = await snapshotCommit(root, subtask.baseCommit, "squad: task worktree before merge");
    const merge = await git(root, ["merge-tree", "--write-tree", "--name-only", "--no-messages", ours, theirs], { okExitCodes: [0, 1] });
    const [tree = "", ...conflicted] = merge.stdout.split("\n").map((l) => l.trim()).filter((l) => l !== "");
    if (merge.exitCode === 1) {
      const conflicts: MergeConflict[] = [];
      for (const file of [...new Set(conflicted)]) {
        const blob = await git(root, ["cat-file", "-p", `${tree}:${file}`], { okExitCodes: [0, 128] });
        conflicts.push({ path: file, hunks: blob.exitCode === 0 ? conflictHunks(blob.stdout) : "(deleted on one side, changed on the other)" });
      }
      return { merged: false, conflicts, commit };
    }
    const { stdout: changes } = await git(root, ["diff", "--no-renames", "--name-status", "-z", ours, tree]);
    const fields = changes.split("\0").filter((f) => f !== "");
    const written: string[] = [];
    const removed: string[] = [];
    for (let i = 0; i + 1 < fields.length; i += 2) {
      const file = fields[i + 1] ?? "";
      if (fields[i] === "D") removed.push(file);
      else written.push(file);
    }
    if (written.length > 0) {
      const scratch = await mkdtemp(path.join(tmpdir(), "squadron-merge-"));
      try {
        // A scratch index: the task worktree's own index (and HEAD) are left alone.
        const pathspecs = written.map((f) => `:(literal)${f}`);
        await git(root, ["checkout", tree, "--", ...pathspecs], { env: { GIT_INDEX_FILE: path.join(scratch, "index") } });
      } finally {
        await rm(scratch, { recursive: true, force: true });
      }
    }
    for (const file of removed) await rm(path.join(root, file), { force: true });
    if (await gitTopLevel(subtask.path)) await git(root, ["worktree", "remove", "--force", subtask.path]);
    return { merged: true, filesChanged: [...written, ...removed].sort(), commit };
  });
  return result;
}
