import { HttpException, Version3Client } from "jira.js";
import type { Document } from "jira.js/version3/models";
import { z } from "zod";
import type { JiraConnectionRow } from "@/db/queries/jira";
import { decryptSecret } from "@/lib/crypto/secrets";

/** Time one Jira REST call may take, in ms, before it counts as a failure. */
export const JIRA_REQUEST_TIMEOUT_MS = 15_000;

/** A Jira REST call failed; `message` names the call and carries Jira's own words. */
export class JiraApiError extends Error {
  constructor(
    message: string,
    /** HTTP status Jira answered, or null when it could not be reached. */
    readonly status: number | null,
  ) {
    super(message);
    this.name = "JiraApiError";
  }
}

/** Site and Basic-auth credentials of a Jira Cloud site (email + API token). */
export type JiraCredentials = { siteUrl: string; accountEmail: string; apiToken: string };

/**
 * A `jira.js` REST v3 client for a site. `siteUrl` is any base URL (tests point it at a local
 * stand-in).
 */
export function createJiraClient(credentials: JiraCredentials): Version3Client {
  return new Version3Client({
    host: credentials.siteUrl,
    authentication: { basic: { email: credentials.accountEmail, apiToken: credentials.apiToken } },
    baseRequestConfig: { timeout: JIRA_REQUEST_TIMEOUT_MS },
  });
}

/**
 * The client of a stored connection (decrypts its API token).
 * @throws AppError `internal` when the token cannot be decrypted (encryption key changed)
 */
export async function jiraClientForConnection(row: JiraConnectionRow): Promise<Version3Client> {
  const apiToken = await decryptSecret(row.apiTokenEncrypted, "jira_connections.api_token_encrypted");
  return createJiraClient({ siteUrl: row.siteUrl, accountEmail: row.accountEmail, apiToken });
}

const jiraErrorBody = z.object({
  errorMessages: z.array(z.string()).optional(),
  errors: z.record(z.string(), z.string()).optional(),
  message: z.string().optional(),
});

/**
 * Turns what `jira.js` throws into a {@link JiraApiError} whose message says what was attempted and
 * what Jira answered (`errorMessages` and field `errors` of Jira's error body), e.g.
 * `Jira answered 404 to adding a comment on PROJ-7: Issue does not exist or you do not have permission to see it.`
 */
export function toJiraApiError(error: unknown, what: string): JiraApiError {
  if (error instanceof JiraApiError) return error;
  if (error instanceof HttpException) {
    const response = typeof error.response === "object" ? error.response : {};
    const status = typeof response.status === "number" ? response.status : error.status;
    const body = jiraErrorBody.safeParse(response.data);
    const words = body.success
      ? [...(body.data.errorMessages ?? []), ...Object.entries(body.data.errors ?? {}).map(([k, v]) => `${k}: ${v}`), body.data.message ?? ""]
          .filter(Boolean)
          .join("; ")
      : "";
    const reached = typeof response.status === "number";
    if (!reached) return new JiraApiError(`Jira could not be reached for ${what}: ${error.message}`, null);
    const hint = status === 401 ? " (check the account email and API token)" : status === 403 ? " (the account lacks permission in this project)" : "";
    return new JiraApiError(`Jira answered ${status} to ${what}${hint}: ${words || error.message}`, status);
  }
  const message = error instanceof Error ? error.message : String(error);
  return new JiraApiError(`Jira could not be reached for ${what}: ${message}`, null);
}

async function call<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw toJiraApiError(error, what);
  }
}

/** One paragraph of a comment: text runs, some of them links. */
export type CommentPart = string | { text: string; href: string };

/** An ADF document of paragraphs (each an array of text runs and links) — what REST v3 takes as a comment body. */
export function adfParagraphs(paragraphs: CommentPart[][]): Document {
  return {
    type: "doc",
    version: 1,
    content: paragraphs.map((parts) => ({
      type: "paragraph",
      content: parts
        .filter((p) => (typeof p === "string" ? p.length > 0 : p.text.length > 0))
        .map((p) => (typeof p === "string" ? { type: "text", text: p } : { type: "text", text: p.text, marks: [{ type: "link", attrs: { href: p.href } }] })),
    })),
  };
}

/** Who the credentials authenticate as (`GET /rest/api/3/myself`). @throws JiraApiError */
export async function getJiraAccount(client: Version3Client): Promise<{ accountId: string; displayName: string | null }> {
  const me = await call("reading the account (GET /rest/api/3/myself)", () => client.myself.getCurrentUser());
  if (!me.accountId) throw new JiraApiError("Jira's /myself answer has no accountId", 200);
  return { accountId: me.accountId, displayName: me.displayName ?? null };
}

/** Adds a comment to an issue. @returns the comment id @throws JiraApiError */
export async function addJiraComment(client: Version3Client, issueKey: string, paragraphs: CommentPart[][]): Promise<string | null> {
  const comment = await call(`adding a comment on ${issueKey}`, () =>
    client.issueComments.addComment({ issueIdOrKey: issueKey, comment: adfParagraphs(paragraphs) }),
  );
  return comment.id ?? null;
}

/**
 * Moves an issue to the status named `status` (case-insensitive) through the transition that leads
 * there (`GET` then `POST /rest/api/3/issue/{key}/transitions`; a transition's own name counts too).
 * An issue already in that status is left alone.
 * @returns `transitioned`, or `already` when the issue was in that status
 * @throws JiraApiError when Jira refuses, or no transition leads to `status` (the message lists the available ones)
 */
export async function transitionJiraIssue(client: Version3Client, issueKey: string, status: string): Promise<"transitioned" | "already"> {
  const wanted = status.trim().toLowerCase();
  const { transitions = [] } = await call(`reading the transitions of ${issueKey}`, () => client.issues.getTransitions({ issueIdOrKey: issueKey }));
  const transition =
    transitions.find((t) => t.to?.name?.toLowerCase() === wanted) ?? transitions.find((t) => t.name?.toLowerCase() === wanted);
  if (transition?.id) {
    await call(`moving ${issueKey} to "${status}"`, () => client.issues.doTransition({ issueIdOrKey: issueKey, transition: { id: transition.id } }));
    return "transitioned";
  }
  const issue = await call(`reading the status of ${issueKey}`, () => client.issues.getIssue({ issueIdOrKey: issueKey, fields: ["status"] }));
  const current = z.object({ status: z.object({ name: z.string() }).optional() }).safeParse(issue.fields);
  const currentName = current.success ? current.data.status?.name : undefined;
  if (currentName?.toLowerCase() === wanted) return "already";
  const available = transitions.map((t) => t.to?.name ?? t.name).filter(Boolean).join(", ") || "none";
  throw new JiraApiError(
    `Jira has no transition of ${issueKey}${currentName ? ` from "${currentName}"` : ""} to "${status}" (available: ${available}); fix the status mapping in Settings → Integrations → Jira`,
    null,
  );
}

/**
 * Creates a sub-task of `parentKey` in its project, with the project's sub-task issue type
 * (`GET /rest/api/3/project/{key}`, the first issue type with `subtask: true`).
 * @returns the new issue's key
 * @throws JiraApiError when the project has no sub-task type or Jira refuses
 */
export async function createJiraSubtask(
  client: Version3Client,
  input: { projectKey: string; parentKey: string; summary: string; description: CommentPart[][] },
): Promise<string> {
  const project = await call(`reading project ${input.projectKey}`, () => client.projects.getProject({ projectIdOrKey: input.projectKey }));
  const subtaskType = (project.issueTypes ?? []).find((t) => t.subtask === true && t.id);
  if (!subtaskType?.id) throw new JiraApiError(`Jira project ${input.projectKey} has no sub-task issue type; turn sub-tasks off for this connection or add one`, null);
  const typeId = subtaskType.id;
  const created = await call(`creating a sub-task of ${input.parentKey}`, () =>
    client.issues.createIssue({
      fields: {
        project: { key: input.projectKey },
        parent: { key: input.parentKey },
        issuetype: { id: typeId },
        summary: input.summary.slice(0, 255),
        description: adfParagraphs(input.description),
      },
    }),
  );
  if (!created.key) throw new JiraApiError(`Jira created a sub-task of ${input.parentKey} but returned no key`, 201);
  return created.key;
}
