import { execFile } from "node:child_process";
import { realpath } from "node:fs/promises";
import path from "node:path";
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

// Variables that would point git at another repository or index than the one we name.
const inheritedGitVariables = [
  "GIT_DIR",
  "GIT_WORK_TREE",
  "GIT_INDEX_FILE",
  "GIT_OBJECT_DIRECTORY",
  "GIT_ALTERNATE_OBJECT_DIRECTORIES",
  "GIT_COMMON_DIR",
  "GIT_NAMESPACE",
  "GIT_PREFIX",
];

function gitEnvironment(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of inheritedGitVariables) delete env[key];
  return { ...env, GIT_TERMINAL_PROMPT: "0", LC_ALL: "C", ...extra };
}

/** Largest git output we read (a diff of a big change), in bytes. */
const MAX_GIT_OUTPUT_BYTES = 64 * 1024 * 1024;

/**
 * Runs `git <args>` in `cwd` without a shell.
 * @returns stdout and the exit code; exit codes listed in `okExitCodes` (default `[0]`) do not throw
 * @throws Error with git's stderr for any other exit code
 */
export function git(
  cwd: string,
  args: string[],
  opts: { env?: Record<string, string>; okExitCodes?: number[] } = {},
): Promise<{ stdout: string; exitCode: number }> {
  const ok = opts.okExitCodes ?? [0];
  return new Promise((resolve, reject) => {
    execFile(
      "git",
      args,
      { cwd, env: gitEnvironment(opts.env), maxBuffer: MAX_GIT_OUTPUT_BYTES, encoding: "utf8" },
      (error, stdout, stderr) => {
        const exitCode = error ? (typeof error.code === "number" ? error.code : -1) : 0;
        if (ok.includes(exitCode)) {
          resolve({ stdout, exitCode });
          return;
        }
        reject(new Error(`git ${args.join(" ")} failed (exit ${exitCode}): ${stderr.trim() || error?.message}`));
      },
    );
  });
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
