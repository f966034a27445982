import { z } from "zod";
import type { JiraStatusMapping } from "@/db/schema/jira";

// Pure zod schemas of the Jira connection (no server imports): the API route and the
// Settings → Integrations → Jira form validate with the same ones.

/** Jira project keys: an uppercase letter, then uppercase letters, digits or `_` (Jira's default key rule). */
export const jiraProjectKeySchema = z
  .string()
  .trim()
  .regex(/^[A-Z][A-Z0-9_]{0,49}$/, "A Jira project key is uppercase letters, digits and _, starting with a letter (e.g. PROJ)");

const statusName = z.string().trim().min(1).max(100).nullable();

/** Statuses Squadron moves an issue to when a connection does not say (Jira's default software workflow). */
export const defaultJiraStatusMapping: JiraStatusMapping = { started: "In Progress", inReview: "In Review", done: "Done", failed: null };

/**
 * Body of `PUT /api/v1/integrations/jira` and of the Settings → Integrations → Jira form.
 * `apiToken` is required when the organization has no connection yet; leave it out to keep the
 * stored one. `rotateWebhookSecret: true` makes a new webhook secret (shown once in the response).
 */
export const jiraConnectionInputSchema = z.object({
  siteUrl: z
    .url({ protocol: /^https?$/, error: "siteUrl must be your site's URL, e.g. https://your-team.atlassian.net" })
    .trim()
    .max(300),
  accountEmail: z.email("accountEmail must be the email of the Atlassian account the API token belongs to").max(320),
  apiToken: z.string().trim().min(1).max(2_000).optional(),
  projectKeys: z.array(jiraProjectKeySchema).min(1, "Name at least one Jira project key").max(50),
  trigger: z.discriminatedUnion("kind", [
    z.object({ kind: z.literal("label"), label: z.string().trim().min(1).max(255).regex(/^\S+$/, "A Jira label has no spaces") }),
    z.object({ kind: z.literal("assignee"), accountId: z.string().trim().min(1).max(128) }),
  ]),
  projectRepositories: z
    .array(z.object({ projectKey: jiraProjectKeySchema, repositoryId: z.uuid() }))
    .max(50)
    .default([]),
  statusMapping: z
    .object({ started: statusName, inReview: statusName, done: statusName, failed: statusName })
    .default(defaultJiraStatusMapping),
  syncSubtasks: z.boolean().default(false),
  rotateWebhookSecret: z.boolean().optional(),
});
export type JiraConnectionInput = z.output<typeof jiraConnectionInputSchema>;
/** What the form holds (defaults not yet applied). */
export type JiraConnectionFormValues = z.input<typeof jiraConnectionInputSchema>;
