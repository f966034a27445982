import { getDb } from "@/db/client";
import { env } from "@/lib/env";
import { githubClonePath, syncGithubClone } from "./clone";
import { githubClient, githubErrorMessage, resolveGithubCredentials, splitFullName } from "./credentials";

/** Where a GitHub-only repository's cached clone lives (see `syncGithubClone`). */
export function githubWorkspacePath(repositoryId: string): string {
  return githubClonePath(env.DATA_DIR, repositoryId);
}

/**
 * Makes the cached clone of a GitHub-only repository current before a run: asks GitHub for the
 * repository's `clone_url` (`GET /repos/{owner}/{repo}` at `GITHUB_API_URL`), then clones or fetches
 * it with the organization's credentials (a connection, or `GITHUB_TOKEN`; none: anonymous, which
 * works for public repositories).
 * @returns the clone's folder
 * @throws Error with GitHub's or git's message when the repository cannot be reached
 */
export async function syncGithubWorkspace(repository: {
  organizationId: string;
  id: string;
  githubFullName: string;
  defaultBranch: string;
}): Promise<string> {
  const creds = await resolveGithubCredentials(getDb(), { organizationId: repository.organizationId, fullName: repository.githubFullName });
  const { owner, repo } = splitFullName(repository.githubFullName);
  const octokit = creds?.octokit ?? githubClient();
  let cloneUrl: string;
  try {
    cloneUrl = (await octokit.rest.repos.get({ owner, repo })).data.clone_url;
  } catch (error) {
    throw new Error(`Could not read ${repository.githubFullName} on GitHub: ${githubErrorMessage(error)}`);
  }
  return syncGithubClone({
    dataDir: env.DATA_DIR,
    repositoryId: repository.id,
    cloneUrl,
    defaultBranch: repository.defaultBranch,
    token: creds?.token ?? null,
  });
}
