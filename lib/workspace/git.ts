import { realpath } from "node:fs/promises";
import path from "node:path";
import { simpleGit, type SimpleGit } from "simple-git";
import { AppError } from "@/lib/errors";

/** Identity of every commit Squadron makes. */
export const SQUADRON_AUTHOR = { name: "Squadron", email: "squadron@localhost" };

/** `-c` options that make a commit independent of the host's git configuration. */
export const commitConfig = [
  "-c",
  `user.name=${SQUADRON_AUTHOR.name}`,
  "-c",
  `user.email=${SQUADRON_AUTHOR.email}`,
  "-c",
  "commit.gpgsign=false",
];

/**
 * `-c` settings given to every git command Squadron runs, so that a tenant repository's own
 * configuration and files never execute a program on the host: its hooks (`.git/hooks`, or a
 * `core.hooksPath` it sets) are pointed at an empty path, `core.fsmonitor` (a command git would run on
 * every status) is off. (git itself refuses the `ext::` transport by default.) simple-git guards `-c`
 * settings like these as potential attack vectors, so exactly these two are allowed through
 * {@link HARDENED_GIT_UNSAFE}: their values are constants, never tenant input. simple-git additionally refuses `--upload-pack`/`--receive-pack`-style options unless explicitly
 * allowed (its `unsafe` plugin), and we never pass tenant input as options: paths and refs are
 * validated first (see `collectPatch`). Diffs run with `--no-ext-diff`. What remains out of reach of `-c`:
 * a `filter.<driver>` defined in a local repository's own `.git/config`; local repositories are only
 * accepted under the operator's `LOCAL_REPOSITORY_ROOTS`, and GitHub clones start with a fresh config.
 */
export const HARDENED_GIT_CONFIG = ["core.hooksPath=/dev/null", "core.fsmonitor=false"];

/** The simple-git `unsafe` flags {@link HARDENED_GIT_CONFIG} needs (and nothing else). */
export const HARDENED_GIT_UNSAFE = { allowUnsafeHooksPath: true, allowUnsafeFsMonitor: true } as const;

// simple-git strips every inherited GIT_* variable (GIT_DIR, GIT_WORK_TREE, GIT_INDEX_FILE, …) from the
// child's environment unless it is allowed here; these are the ones we set ourselves.
const allowedGitVariables = ["GIT_INDEX_FILE", "GIT_TERMINAL_PROMPT"];

// Variables outside GIT_* that simple-git's guard refuses in an explicit environment (it would make git
// run a program: an editor, a pager, an askpass helper; or read config from elsewhere). npm sets EDITOR
// for every script it runs (`npm test`, `npm start`), so they are left out rather than passed on.
const guardedVariables = new Set(["EDITOR", "VISUAL", "PAGER", "PREFIX", "SSH_ASKPASS"]);

function gitEnvironment(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value === undefined || key.toUpperCase().startsWith("GIT_") || guardedVariables.has(key.toUpperCase())) continue;
    env[key] = value;
  }
  return { ...env, GIT_TERMINAL_PROMPT: "0", LC_ALL: "C", ...extra };
}

/**
 * A `simple-git` client for `cwd` with the host's git variables removed and prompts off. Non-zero exits
 * reject with simple-git's `GitError` (`GitResponseError` with the parsed summary for `merge`).
 */
export function gitClient(cwd: string, opts: { env?: Record<string, string> } = {}): SimpleGit {
  return simpleGit({ baseDir: cwd, allowEnvironment: allowedGitVariables, config: HARDENED_GIT_CONFIG, unsafe: HARDENED_GIT_UNSAFE }).env(gitEnvironment(opts.env));
}

/**
 * Runs `git <args>` in `cwd` through `simple-git` (no shell).
 * @returns stdout and the exit code; exit codes listed in `okExitCodes` (default `[0]`) do not throw
 * @throws Error with git's stderr for any other exit code
 */
export async function git(
  cwd: string,
  args: string[],
  opts: { env?: Record<string, string>; okExitCodes?: number[] } = {},
): Promise<{ stdout: string; exitCode: number }> {
  const ok = opts.okExitCodes ?? [0];
  let exitCode = 0;
  const client = simpleGit({
    baseDir: cwd,
    allowEnvironment: allowedGitVariables,
    config: HARDENED_GIT_CONFIG,
    unsafe: HARDENED_GIT_UNSAFE,
    // Decide ourselves which exit codes are failures (e.g. `diff --quiet` exits 1 for "changes").
    errors: (error, result) => {
      exitCode = result.exitCode;
      if (ok.includes(result.exitCode)) return undefined;
      if (error instanceof Error) return error;
      const stderr = Buffer.concat(result.stdErr).toString("utf8").trim();
      return new Error(`git ${args.join(" ")} failed (exit ${result.exitCode}): ${stderr || "no error output"}`);
    },
  }).env(gitEnvironment(opts.env));
  const stdout = await client.raw(args);
  return { stdout, exitCode };
}

/**
 * The real path of `dir` if it is the top level of a git work tree (a repository or a linked worktree),
 * else null. Checking the top level matters: a folder inside another repository (e.g. `.data/` inside
 * the app's own checkout) would otherwise answer for the outer repository.
 */
export async function gitTopLevel(dir: string): Promise<string | null> {
  let real: string;
  try {
    real = await realpath(dir);
  } catch {
    return null;
  }
  const result = await git(real, ["rev-parse", "--show-toplevel"], { okExitCodes: [0, 128] }).catch(() => null);
  if (!result || result.exitCode !== 0) return null;
  const top = await realpath(result.stdout.trim()).catch(() => null);
  return top !== null && path.resolve(top) === path.resolve(real) ? real : null;
}

/**
 * The real path of a worktree given to a workspace function.
 * @throws AppError `invalid_input` when `worktree` is not the top level of a git work tree
 */
export async function requireWorktree(worktree: string): Promise<string> {
  const top = await gitTopLevel(worktree);
  if (!top) throw new AppError("invalid_input", `Not a git worktree: ${worktree}`);
  return top;
}

/**
 * Resolves a revision to a full commit id.
 * @throws AppError `invalid_input` when it does not name a commit
 */
export async function resolveCommit(repo: string, rev: string): Promise<string> {
  if (rev.length === 0 || rev.startsWith("-")) throw new AppError("invalid_input", `Invalid revision: ${rev}`);
  const result = await git(repo, ["rev-parse", "--verify", "--quiet", "--end-of-options", `${rev}^{commit}`], {
    okExitCodes: [0, 1, 128],
  });
  const sha = result.stdout.trim();
  if (result.exitCode !== 0 || !/^[0-9a-f]{40,64}$/.test(sha)) {
    throw new AppError("invalid_input", `Not a commit in ${repo}: ${rev}`);
  }
  return sha;
}
