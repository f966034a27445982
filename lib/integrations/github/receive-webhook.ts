import { Webhooks } from "@octokit/webhooks";
import { z } from "zod";
import type { Database, DbOrTx } from "@/db/client";
import { findTaskByExternalRef } from "@/db/queries/tasks";
import { findGithubConnectionForWebhook, findRepositoryByGithubFullName } from "@/db/queries/github-connections";
import { findRepositoryForWebhook } from "@/db/queries/squads";
import { decryptSecret } from "@/lib/crypto/secrets";
import { AppError } from "@/lib/errors";
import { dispatchTask } from "@/lib/tasks/create-task";
import { githubErrorMessage, resolveGithubCredentials, splitFullName } from "./credentials";
import { findTaskByPullRequest, queueFollowUp, squadronInstruction, WRITE_ASSOCIATIONS } from "./follow-up";
import { ingestFollowUpDelivery, ingestTaskDelivery, recordIgnoredDelivery, type DeliveryRecord, type IngestResult } from "@/lib/integrations/ingest-delivery";

/** The label that asks the squad to take an existing issue (`issues.labeled`). */
export const SQUAD_LABEL = "squad";

const issuePayloadSchema = z.object({
  action: z.string(),
  issue: z.object({
    number: z.number().int(),
    title: z.string(),
    body: z.string().nullable().optional(),
    html_url: z.string(),
  }),
  label: z.object({ name: z.string() }).optional(),
  repository: z.object({ full_name: z.string() }),
});

/** Outcome of a delivery (see `IngestResult` of `lib/integrations/ingest-delivery.ts`). */
export type WebhookResult = IngestResult;

/**
 * Verifies and ingests one GitHub webhook delivery for a repository. `issues.opened` and
 * `issues.labeled` with the `squad` label create one task per issue (external ref
 * `github:<owner/name>#<number>`); every delivery is recorded once by `X-GitHub-Delivery`, so a
 * redelivery creates nothing. Nothing is stored when the request is rejected.
 * @throws AppError `not_found` (unknown repository), `unauthorized` (missing/bad `X-Hub-Signature-256`),
 *   `bad_request` (missing headers, malformed JSON or payload), `internal` (the stored secret cannot be
 *   decrypted: encryption key changed)
 */
export async function receiveGithubWebhook(
  db: Database,
  input: { repositoryId: string; rawBody: string; headers: Headers },
): Promise<WebhookResult> {
  const repository = await findRepositoryForWebhook(db, { repositoryId: input.repositoryId });
  if (!repository) throw new AppError("not_found", "Repository not found");
  const secret = await decryptSecret(repository.webhookSecretEncrypted, "repositories.webhook_secret_encrypted");
  await verifySignature(input, secret, "the repository's webhook secret");
  return ingestVerified(db, repository, input);
}

/**
 * Verifies and ingests one delivery of the organization's GitHub App
 * (`POST /api/webhooks/github/app/<connection id>`, signed with the app's webhook secret). The
 * payload's `repository.full_name` names the registered repository it is about; a repository the
 * organization has not registered is recorded `ignored`. Same events and guarantees as {@link receiveGithubWebhook}.
 * @throws AppError `not_found` (no such app connection), `unauthorized`, `bad_request`, `internal`
 */
export async function receiveGithubAppWebhook(
  db: Database,
  input: { connectionId: string; rawBody: string; headers: Headers },
): Promise<WebhookResult> {
  const connection = await findGithubConnectionForWebhook(db, { connectionId: input.connectionId });
  if (!connection || connection.kind !== "app" || !connection.webhookSecretEncrypted) throw new AppError("not_found", "GitHub App connection not found");
  const secret = await decryptSecret(connection.webhookSecretEncrypted, "github_connections.webhook_secret_encrypted");
  await verifySignature(input, secret, "the GitHub App's webhook secret");
  const { deliveryId, event, json } = deliveryOf(input);
  const named = z.object({ repository: z.object({ full_name: z.string() }) }).safeParse(json);
  const delivery: DeliveryRecord = { organizationId: connection.organizationId, repositoryId: null, provider: "github", deliveryId, event, action: null };
  if (!named.success) return recordIgnoredDelivery(db, delivery, `A ${event} event without a repository does not start a task`);
  const repository = await findRepositoryByGithubFullName(db, { organizationId: connection.organizationId, fullName: named.data.repository.full_name });
  if (!repository) {
    return recordIgnoredDelivery(db, delivery, `${named.data.repository.full_name} is not a registered repository of this organization`);
  }
  return ingestVerified(db, repository, input);
}

/** Checks `X-Hub-Signature-256` (HMAC-SHA256 of the raw body) with `@octokit/webhooks`. @throws AppError `unauthorized` */
async function verifySignature(input: { rawBody: string; headers: Headers }, secret: string, what: string): Promise<void> {
  const signature = input.headers.get("x-hub-signature-256");
  if (!signature) throw new AppError("unauthorized", "Missing X-Hub-Signature-256 header");
  const webhooks = new Webhooks({ secret });
  let valid = false;
  try {
    valid = await webhooks.verify(input.rawBody, signature);
  } catch {
    valid = false;
  }
  if (!valid) throw new AppError("unauthorized", `Signature does not match ${what}`);
}

/** Delivery id, event name and JSON of a verified request. @throws AppError `bad_request` */
function deliveryOf(input: { rawBody: string; headers: Headers }): { deliveryId: string; event: string; json: unknown } {
  const deliveryId = input.headers.get("x-github-delivery");
  const event = input.headers.get("x-github-event");
  if (!deliveryId || !event) throw new AppError("bad_request", "Missing X-GitHub-Delivery or X-GitHub-Event header");
  try {
    return { deliveryId, event, json: JSON.parse(input.rawBody) };
  } catch {
    throw new AppError("bad_request", "Payload is not valid JSON");
  }
}

/** Maps a verified delivery about `repository` to a task, a follow-up, or an ignored delivery. */
async function ingestVerified(
  db: Database,
  repository: { id: string; organizationId: string },
  input: { rawBody: string; headers: Headers },
): Promise<WebhookResult> {
  const { deliveryId, event, json } = deliveryOf(input);
  const base: DeliveryRecord = {
    organizationId: repository.organizationId,
    repositoryId: repository.id,
    provider: "github",
    deliveryId,
    event,
    action: null,
  };

  if (event === "issue_comment" || event === "pull_request_review") {
    return receiveConversation(db, base, event, json);
  }
  if (event !== "issues") {
    return recordIgnoredDelivery(db, base, `Squadron does not act on ${event} events`);
  }
  const parsed = issuePayloadSchema.safeParse(json);
  if (!parsed.success) {
    throw new AppError("bad_request", `Malformed issues payload: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  }
  const payload = parsed.data;
  const delivery = { ...base, action: payload.action };
  const wanted =
    payload.action === "opened" || (payload.action === "labeled" && payload.label?.name === SQUAD_LABEL);
  if (!wanted) {
    return recordIgnoredDelivery(db, delivery, `issues.${payload.action} does not start a task`);
  }

  return ingestTaskDelivery(db, delivery, {
    externalRef: githubIssueRef(payload.repository.full_name, payload.issue.number),
    source: "github",
    title: payload.issue.title,
    description: `${payload.issue.body ?? ""}\n\nGitHub issue: ${payload.issue.html_url}`.trim(),
  });
}

/** External ref of a GitHub issue or pull request: `github:<owner/name>#<number>`. */
export function githubIssueRef(fullName: string, number: number): string {
  return `github:${fullName}#${number}`;
}

const association = z.string();
const commentPayloadSchema = z.object({
  action: z.string(),
  issue: z.object({ number: z.number().int(), pull_request: z.unknown().optional() }),
  comment: z.object({ id: z.number(), body: z.string().nullable(), author_association: association, user: z.object({ login: z.string() }).nullable() }),
  repository: z.object({ full_name: z.string() }),
});
const reviewPayloadSchema = z.object({
  action: z.string(),
  review: z.object({ id: z.number(), body: z.string().nullable(), state: z.string(), author_association: association, user: z.object({ login: z.string() }).nullable() }),
  pull_request: z.object({ number: z.number().int() }),
  repository: z.object({ full_name: z.string() }),
});

/**
 * `issue_comment.created` with `@squadron <instruction>` on a squad issue or pull request, and
 * `pull_request_review.submitted` with "changes requested" on a squad pull request, start a follow-up
 * run of the task on its branch (`queueFollowUp`). Only authors with write access
 * (`WRITE_ASSOCIATIONS`) count; anyone else's delivery is recorded `ignored` with the reason and logged.
 */
async function receiveConversation(db: Database, base: DeliveryRecord, event: string, json: unknown): Promise<WebhookResult> {
  let number: number;
  let fullName: string;
  let instruction: string | null;
  let author: string;
  let associationOf: string;
  let where: string;
  let action: string;
  if (event === "issue_comment") {
    const parsed = commentPayloadSchema.safeParse(json);
    if (!parsed.success) throw new AppError("bad_request", `Malformed issue_comment payload: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
    const p = parsed.data;
    action = p.action;
    if (p.action !== "created") return recordIgnoredDelivery(db, { ...base, action }, `issue_comment.${p.action} does not start a run`);
    number = p.issue.number;
    fullName = p.repository.full_name;
    instruction = squadronInstruction(p.comment.body);
    author = p.comment.user?.login ?? "someone";
    associationOf = p.comment.author_association;
    where = `${p.issue.pull_request ? "pull request" : "issue"} #${number}`;
  } else {
    const parsed = reviewPayloadSchema.safeParse(json);
    if (!parsed.success) throw new AppError("bad_request", `Malformed pull_request_review payload: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
    const p = parsed.data;
    action = p.action;
    if (p.action !== "submitted" || p.review.state.toLowerCase() !== "changes_requested") {
      return recordIgnoredDelivery(db, { ...base, action }, `A ${p.review.state} review does not start a run`);
    }
    number = p.pull_request.number;
    fullName = p.repository.full_name;
    const comments = await reviewComments(db, base.organizationId, p.repository.full_name, p.pull_request.number, p.review.id);
    instruction = [`Changes requested in review: ${p.review.body?.trim() || "(no summary)"}`, ...comments].join("\n");
    author = p.review.user?.login ?? "someone";
    associationOf = p.review.author_association;
    where = `pull request #${number}`;
  }
  const delivery = { ...base, action };
  if (!instruction) return recordIgnoredDelivery(db, delivery, "The comment does not address @squadron");
  if (!(WRITE_ASSOCIATIONS as readonly string[]).includes(associationOf)) {
    const reason = `${author} (${associationOf}) has no write access to ${fullName}; only ${WRITE_ASSOCIATIONS.join(", ")} can ask the squad`;
    console.warn(`[github] ignored ${event} delivery ${base.deliveryId}: ${reason}`);
    return recordIgnoredDelivery(db, delivery, reason);
  }
  const find = async (tx: DbOrTx) =>
    (await findTaskByExternalRef(tx, { organizationId: base.organizationId, externalRef: githubIssueRef(fullName, number) })) ??
    (await findTaskByPullRequest(tx, { organizationId: base.organizationId, fullName, pullNumber: number }));
  const text = instruction;
  return ingestFollowUpDelivery(db, delivery, find, async (tx, task) => {
    const queued = await queueFollowUp(tx, task, { instruction: text, author, source: `GitHub ${where}` });
    if ("ignore" in queued) return queued;
    return { after: () => dispatchTask(db, queued.queued, `github-follow-up-${base.deliveryId}`) };
  });
}

/**
 * The line comments of a pull request review as `- path:line: body` lines
 * (`GET /repos/{owner}/{repo}/pulls/{number}/reviews/{id}/comments`), or none when no credentials
 * reach the repository or GitHub refuses (the review's summary still starts the follow-up).
 */
async function reviewComments(db: Database, organizationId: string, fullName: string, pullNumber: number, reviewId: number): Promise<string[]> {
  try {
    const creds = await resolveGithubCredentials(db, { organizationId, fullName });
    if (!creds) return [];
    const { owner, repo } = splitFullName(fullName);
    const { data } = await creds.octokit.rest.pulls.listCommentsForReview({ owner, repo, pull_number: pullNumber, review_id: reviewId, per_page: 100 });
    return data.map((c) => `- ${c.path}${c.line ? `:${c.line}` : ""}: ${c.body}`);
  } catch (error) {
    console.warn(`[github] could not read the comments of review ${reviewId} on ${fullName}#${pullNumber}: ${githubErrorMessage(error)}`);
    return [];
  }
}
