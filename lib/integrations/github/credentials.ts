import { App } from "@octokit/app";
import { createAppAuth } from "@octokit/auth-app";
import { request } from "@octokit/request";
import { RequestError } from "@octokit/request-error";
import { Octokit } from "@octokit/rest";
import type { DbOrTx } from "@/db/client";
import { listGithubConnections, type GithubConnectionRow } from "@/db/queries/github-connections";
import { decryptSecret } from "@/lib/crypto/secrets";
import { env } from "@/lib/env";

/**
 * Credentials Squadron uses for one GitHub repository: a REST client (`@octokit/rest`, pointed at
 * `GITHUB_API_URL`) and the bearer token behind it, which also authenticates `git fetch`/`git push`.
 * `source` says where they came from, in the order they are tried: `token` (the repository's
 * fine-grained PAT connection), `app` (an installation token of the organization's GitHub App),
 * `env` (`GITHUB_TOKEN`).
 */
export type GithubCredentials = {
  source: "token" | "app" | "env";
  connectionId: string | null;
  token: string;
  octokit: Octokit;
};

/** A REST client for `GITHUB_API_URL` with `auth` (a token) or none. No automatic retries: callers decide. */
export function githubClient(auth?: string): Octokit {
  return new Octokit({ auth, baseUrl: env.GITHUB_API_URL, userAgent: "squadron" });
}

/** `owner/name` → `{ owner, repo }`. @throws Error when it is not of that shape */
export function splitFullName(fullName: string): { owner: string; repo: string } {
  const [owner, repo, ...rest] = fullName.split("/");
  if (!owner || !repo || rest.length > 0) throw new Error(`Not a GitHub repository name (owner/name): ${fullName}`);
  return { owner, repo };
}

/** The GitHub App auth strategy of an `app` connection, speaking to `GITHUB_API_URL`. */
export async function appAuthOf(connection: GithubConnectionRow) {
  if (!connection.appId || !connection.privateKeyEncrypted) throw new Error("The GitHub App connection has no app id or private key");
  const privateKey = await decryptSecret(connection.privateKeyEncrypted, "github_connections.private_key_encrypted");
  return createAppAuth({
    appId: connection.appId,
    privateKey,
    request: request.defaults({ baseUrl: env.GITHUB_API_URL, headers: { "user-agent": "squadron" } }),
  });
}

/**
 * An installation token of the app for `fullName`: the connection's installation when set, else the
 * one GitHub names for the repository (`GET /repos/{owner}/{repo}/installation` with the app's JWT).
 * @returns null when the app is not installed on the repository (GitHub answers 404)
 */
async function appInstallationToken(connection: GithubConnectionRow, fullName: string): Promise<string | null> {
  const auth = await appAuthOf(connection);
  let installationId = connection.installationId;
  if (!installationId) {
    const { token: jwt } = await auth({ type: "app" });
    const { owner, repo } = splitFullName(fullName);
    try {
      const found = await githubClient(jwt).rest.apps.getRepoInstallation({ owner, repo });
      installationId = found.data.id;
    } catch (error) {
      if (error instanceof RequestError && error.status === 404) return null;
      throw error;
    }
  }
  const { token } = await auth({ type: "installation", installationId });
  return token;
}

/**
 * Finds the credentials that reach `fullName` for the organization (see {@link GithubCredentials}
 * for the order). Secrets are decrypted here and never leave the process.
 * @returns null when nothing reaches the repository (no connection, and `GITHUB_TOKEN` unset)
 * @throws Error when a stored secret cannot be decrypted, or GitHub refuses the app's JWT
 */
export async function resolveGithubCredentials(
  db: DbOrTx,
  q: { organizationId: string; fullName: string },
): Promise<GithubCredentials | null> {
  const connections = await listGithubConnections(db, { organizationId: q.organizationId });
  const wanted = q.fullName.toLowerCase();
  const pat = connections.find((c) => c.kind === "token" && c.repositoryFullName?.toLowerCase() === wanted && c.tokenEncrypted);
  if (pat?.tokenEncrypted) {
    const token = await decryptSecret(pat.tokenEncrypted, "github_connections.token_encrypted");
    return { source: "token", connectionId: pat.id, token, octokit: githubClient(token) };
  }
  for (const app of connections.filter((c) => c.kind === "app")) {
    const token = await appInstallationToken(app, q.fullName);
    if (token) return { source: "app", connectionId: app.id, token, octokit: githubClient(token) };
  }
  if (env.GITHUB_TOKEN) return { source: "env", connectionId: null, token: env.GITHUB_TOKEN, octokit: githubClient(env.GITHUB_TOKEN) };
  return null;
}

/**
 * GitHub's own words for a failed call: `GitHub answered <status>: <message> (<field errors>)`.
 * Non-HTTP errors keep their message.
 */
export function githubErrorMessage(error: unknown): string {
  if (error instanceof RequestError) {
    const data = error.response?.data;
    let detail = "";
    if (data && typeof data === "object" && "errors" in data && Array.isArray(data.errors)) {
      const parts = data.errors.map((e: unknown) =>
        e && typeof e === "object" && "message" in e && typeof e.message === "string" ? e.message : JSON.stringify(e),
      );
      if (parts.length > 0) detail = ` (${parts.join("; ")})`;
    }
    const message = data && typeof data === "object" && "message" in data && typeof data.message === "string" ? data.message : error.message;
    return `GitHub answered ${error.status}: ${message}${detail}`;
  }
  return error instanceof Error ? error.message : String(error);
}

/**
 * The repositories (`owner/name`) a GitHub App connection reaches: those of its installation, or of
 * every installation of the app when none is set (`@octokit/app` `eachRepository`, at `GITHUB_API_URL`).
 * @returns at most `limit` names (default 100), in GitHub's order
 * @throws the RequestError of a refused call (bad key, app id), or Error when a secret cannot be decrypted
 */
export async function listAppRepositories(connection: GithubConnectionRow, limit = 100): Promise<string[]> {
  if (!connection.appId || !connection.privateKeyEncrypted) return [];
  const privateKey = await decryptSecret(connection.privateKeyEncrypted, "github_connections.private_key_encrypted");
  const app = new App({
    appId: connection.appId,
    privateKey,
    Octokit: Octokit.defaults({ baseUrl: env.GITHUB_API_URL, userAgent: "squadron" }),
  });
  const names: string[] = [];
  const query = connection.installationId ? { installationId: connection.installationId } : undefined;
  for await (const { repository } of app.eachRepository.iterator(query)) {
    names.push(repository.full_name);
    if (names.length >= limit) break;
  }
  return names;
}
