import { existsSync } from "node:fs";
import { mkdir, rm } from "node:fs/promises";
import path from "node:path";
import { simpleGit, type SimpleGit } from "simple-git";
import { HARDENED_GIT_CONFIG, HARDENED_GIT_UNSAFE } from "@/lib/workspace/git";

/** How many commits a cached clone keeps (`git clone/fetch --depth`): enough history for merge bases. */
export const CLONE_DEPTH = 50;

/** Folder of the cached clone of a GitHub repository: `<DATA_DIR>/github/<repository id>`. */
export function githubClonePath(dataDir: string, repositoryId: string): string {
  return path.resolve(dataDir, "github", repositoryId);
}

/**
 * Git config that authenticates HTTP(S) git traffic with a GitHub token without writing it to
 * `.git/config`: an `Authorization: Basic` header of `x-access-token:<token>` (what GitHub accepts
 * for PATs and installation tokens alike). Ignored by `file://` remotes (the tests' bare repositories).
 */
function authConfig(token: string | null): string[] {
  if (!token) return [];
  const basic = Buffer.from(`x-access-token:${token}`).toString("base64");
  return [`http.extraHeader=Authorization: Basic ${basic}`];
}

function gitIn(baseDir: string, token: string | null): SimpleGit {
  return simpleGit({ baseDir, config: [...HARDENED_GIT_CONFIG, ...authConfig(token)], unsafe: HARDENED_GIT_UNSAFE });
}

/** Drops credentials that git may echo in an error (URLs with user:password, the header value). */
function scrub(message: string, token: string | null): string {
  let out = message.replace(/\/\/[^/@\s]+@/g, "//***@");
  if (token) {
    out = out.split(token).join("***");
    out = out.split(Buffer.from(`x-access-token:${token}`).toString("base64")).join("***");
  }
  return out.trim();
}

/**
 * Makes the cached clone of a GitHub repository current: clones `cloneUrl` shallowly
 * ({@link CLONE_DEPTH} commits of `defaultBranch`) into {@link githubClonePath} when missing, or
 * fetches `defaultBranch` and moves the clone's branch to it (the clone is a cache; task work
 * happens in worktrees of it, on their own branches). Called before each run.
 * @returns the clone's folder
 * @throws Error with git's message (credentials removed) when the clone or fetch fails
 */
export async function syncGithubClone(input: {
  dataDir: string;
  repositoryId: string;
  cloneUrl: string;
  defaultBranch: string;
  token: string | null;
}): Promise<string> {
  const dir = githubClonePath(input.dataDir, input.repositoryId);
  try {
    if (!existsSync(path.join(dir, ".git"))) {
      await rm(dir, { recursive: true, force: true });
      await mkdir(path.dirname(dir), { recursive: true });
      await gitIn(path.dirname(dir), input.token).clone(input.cloneUrl, dir, [
        "--depth",
        String(CLONE_DEPTH),
        "--branch",
        input.defaultBranch,
        "--no-tags",
      ]);
      return dir;
    }
    const git = gitIn(dir, input.token);
    await git.remote(["set-url", "origin", input.cloneUrl]);
    await git.fetch("origin", input.defaultBranch, { "--depth": String(CLONE_DEPTH), "--no-tags": null });
    await git.checkout(["-B", input.defaultBranch, "FETCH_HEAD"]);
    await git.reset(["--hard", "FETCH_HEAD"]);
    return dir;
  } catch (error) {
    throw new Error(`Could not clone or fetch ${input.cloneUrl}: ${scrub(error instanceof Error ? error.message : String(error), input.token)}`);
  }
}

/**
 * Pushes `branch` of the repository at `repoPath` to `remote` (a remote name such as `origin`, or a
 * URL), replacing the remote branch: `squad/<task id>` branches belong to Squadron, and a retry
 * rewrites them. Token auth as in {@link syncGithubClone}.
 * @returns the pushed commit id
 * @throws Error with git's message (credentials removed) when the push is refused
 */
export async function pushBranch(input: { repoPath: string; remote: string; branch: string; token: string | null }): Promise<string> {
  const git = gitIn(input.repoPath, input.token);
  try {
    const head = (await git.revparse([`refs/heads/${input.branch}`])).trim();
    await git.push(input.remote, `+refs/heads/${input.branch}:refs/heads/${input.branch}`);
    return head;
  } catch (error) {
    throw new Error(`git push of ${input.branch} failed: ${scrub(error instanceof Error ? error.message : String(error), input.token)}`);
  }
}

/** The URL of `remote` in the repository at `repoPath`, or null when it has no such remote. */
export async function remoteUrl(repoPath: string, remote = "origin"): Promise<string | null> {
  const remotes = await simpleGit({ baseDir: repoPath, config: HARDENED_GIT_CONFIG, unsafe: HARDENED_GIT_UNSAFE }).getRemotes(true);
  return remotes.find((r) => r.name === remote)?.refs.push ?? null;
}
