import { z } from "zod";
import type { Database } from "@/db/client";
import { findJiraConnectionById, type JiraConnectionRow } from "@/db/queries/jira";
import { findRepository } from "@/db/queries/squads";
import { decryptSecret } from "@/lib/crypto/secrets";
import { AppError } from "@/lib/errors";
import { ingestTaskDelivery, recordIgnoredDelivery, type DeliveryRecord, type IngestResult } from "@/lib/integrations/ingest-delivery";
import { adfToMarkdown } from "./adf-to-markdown";
import { jiraIssueUrl } from "./connection";
import { JIRA_SIGNATURE_HEADER, verifyJiraSignature } from "./verify-signature";

/** Jira's id of a delivery, unchanged across its retries (Atlassian: "X-Atlassian-Webhook-Identifier"). */
export const JIRA_DELIVERY_HEADER = "x-atlassian-webhook-identifier";

/** The webhook events that can start a task. */
export const JIRA_TASK_EVENTS = ["jira:issue_created", "jira:issue_updated"] as const;

// The fields of Atlassian's issue webhook payload Squadron reads; everything else is ignored
// (sites add custom fields freely). `description` is ADF (REST v3 shape) or, on sites that still
// send the v2 shape, a wiki-markup string.
const issueWebhookSchema = z.object({
  webhookEvent: z.string(),
  /** What happened to the issue: `issue_created`, `issue_assigned`, `issue_generic`, … */
  issue_event_type_name: z.string().max(100).optional(),
  issue: z.object({
    key: z.string().regex(/^[A-Z][A-Z0-9_]*-\d+$/, "issue.key must look like PROJ-123"),
    fields: z.object({
      summary: z.string(),
      description: z.unknown().optional(),
      labels: z.array(z.string()).default([]),
      assignee: z.object({ accountId: z.string() }).nullable().optional(),
      project: z.object({ key: z.string() }),
    }),
  }),
});
type IssueWebhook = z.output<typeof issueWebhookSchema>;

/** External ref of a Jira issue of a connection: `jira:<connection id>:<issue key>`. */
export function jiraIssueRef(connectionId: string, issueKey: string): string {
  return `jira:${connectionId}:${issueKey}`;
}

/** The connection id and issue key of a {@link jiraIssueRef}, or null for another kind of ref. */
export function parseJiraIssueRef(ref: string | null | undefined): { connectionId: string; issueKey: string } | null {
  const m = /^jira:([0-9a-f-]{36}):([A-Z][A-Z0-9_]*-\d+)$/.exec(ref ?? "");
  return m ? { connectionId: m[1], issueKey: m[2] } : null;
}

/**
 * Verifies and ingests one Jira Cloud webhook delivery for a connection. `jira:issue_created` and
 * `jira:issue_updated` of an issue in one of the connection's projects that meets its trigger (the
 * label is on the issue, or it is assigned to the chosen account) create one task per issue (external
 * ref `jira:<connection id>:<key>`), with the summary as title and the description converted from
 * ADF to Markdown plus a link back. Every delivery is recorded once by `X-Atlassian-Webhook-Identifier`
 * (namespaced by connection: identifiers are unique per site only), so a retry creates nothing.
 * Nothing is stored when the request is rejected.
 * @throws AppError `not_found` (unknown connection), `unauthorized` (missing or wrong `X-Hub-Signature`),
 *   `bad_request` (no identifier header, malformed JSON or payload), `internal` (stored secret cannot be decrypted)
 */
export async function receiveJiraWebhook(
  db: Database,
  input: { connectionId: string; rawBody: string; headers: Headers },
): Promise<IngestResult> {
  const connection = await findJiraConnectionById(db, { connectionId: input.connectionId });
  if (!connection) throw new AppError("not_found", "Jira connection not found");

  const signature = input.headers.get(JIRA_SIGNATURE_HEADER);
  if (!signature) throw new AppError("unauthorized", "Missing X-Hub-Signature header: set the webhook's Secret in Jira to the connection's webhook secret");
  const secret = await decryptSecret(connection.webhookSecretEncrypted, "jira_connections.webhook_secret_encrypted");
  if (!verifyJiraSignature(input.rawBody, signature, secret)) {
    throw new AppError("unauthorized", "X-Hub-Signature does not match the connection's webhook secret");
  }

  const identifier = input.headers.get(JIRA_DELIVERY_HEADER);
  if (!identifier) throw new AppError("bad_request", "Missing X-Atlassian-Webhook-Identifier header");
  let json: unknown;
  try {
    json = JSON.parse(input.rawBody);
  } catch {
    throw new AppError("bad_request", "Payload is not valid JSON");
  }
  const event = z.object({ webhookEvent: z.string().min(1) }).safeParse(json);
  if (!event.success) throw new AppError("bad_request", "Payload has no webhookEvent");

  const base: DeliveryRecord = {
    organizationId: connection.organizationId,
    repositoryId: null,
    provider: "jira",
    deliveryId: `${connection.id}:${identifier}`.slice(0, 300),
    event: event.data.webhookEvent,
    action: null,
  };
  if (!(JIRA_TASK_EVENTS as readonly string[]).includes(event.data.webhookEvent)) {
    return recordIgnoredDelivery(db, base, `Squadron does not act on ${event.data.webhookEvent} events`);
  }
  const parsed = issueWebhookSchema.safeParse(json);
  if (!parsed.success) {
    throw new AppError("bad_request", `Malformed ${event.data.webhookEvent} payload: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  }
  const { issue } = parsed.data;
  const projectKey = issue.fields.project.key;
  const delivery: DeliveryRecord = { ...base, action: parsed.data.issue_event_type_name ?? null };

  if (!connection.projectKeys.includes(projectKey)) {
    return recordIgnoredDelivery(db, delivery, `Project ${projectKey} is not one of the connection's projects`);
  }
  const why = triggerMiss(connection, parsed.data);
  if (why) return recordIgnoredDelivery(db, delivery, why);

  const url = jiraIssueUrl(connection.siteUrl, issue.key);
  let body: string;
  try {
    body = adfToMarkdown(issue.fields.description);
  } catch {
    body = "";
  }
  const mapped = connection.projectRepositories[projectKey];
  // A repository deleted since it was mapped falls back to the squad's default, not a failed insert.
  const repositoryId = mapped && (await findRepository(db, { organizationId: connection.organizationId, repositoryId: mapped })) ? mapped : null;
  return ingestTaskDelivery(db, delivery, {
    externalRef: jiraIssueRef(connection.id, issue.key),
    source: "jira",
    title: issue.fields.summary || issue.key,
    description: `${body}\n\nJira issue: [${issue.key}](${url})`.trim(),
    repositoryId,
  });
}

/** Why the issue does not meet the connection's trigger, or null when it does. */
function triggerMiss(connection: JiraConnectionRow, payload: IssueWebhook): string | null {
  const { trigger } = connection;
  const fields = payload.issue.fields;
  if (trigger.kind === "label") {
    return fields.labels.includes(trigger.label) ? null : `${payload.issue.key} does not carry the label "${trigger.label}"`;
  }
  return fields.assignee?.accountId === trigger.accountId ? null : `${payload.issue.key} is not assigned to the chosen Jira account`;
}
