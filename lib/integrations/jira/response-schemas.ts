import "zod-openapi";
import { z } from "zod";

// Response bodies of `/api/v1/integrations/jira*` (mirroring `serializeJiraConnection` and
// `testJiraConnection` of `./connection.ts`), rendered into the OpenAPI document and used by tests.

const statusName = z.string().nullable();

const jiraConnectionObjectSchema = z
  .strictObject({
    id: z.uuid(),
    siteUrl: z.url(),
    accountEmail: z.string(),
    projectKeys: z.array(z.string()),
    trigger: z.discriminatedUnion("kind", [
      z.strictObject({ kind: z.literal("label"), label: z.string() }),
      z.strictObject({ kind: z.literal("assignee"), accountId: z.string() }),
    ]),
    projectRepositories: z.array(z.strictObject({ projectKey: z.string(), repositoryId: z.uuid() })),
    statusMapping: z
      .strictObject({ started: statusName, inReview: statusName, done: statusName, failed: statusName })
      .meta({ description: "Jira status names (case-insensitive) per moment; null leaves the issue where it is." }),
    syncSubtasks: z.boolean(),
    webhookUrl: z.url().meta({ description: "Paste into Jira → Settings → System → WebHooks → URL." }),
    createdAt: z.iso.datetime({ offset: true }),
    updatedAt: z.iso.datetime({ offset: true }),
  })
  .meta({ id: "JiraConnection" });

/** `GET /api/v1/integrations/jira`: the connection, or null when Jira is not connected. */
export const jiraConnectionSchema = jiraConnectionObjectSchema.nullable();

export const savedJiraConnectionSchema = jiraConnectionObjectSchema
  .extend({
    created: z.boolean(),
    webhookSecret: z
      .string()
      .optional()
      .meta({ description: "The webhook's secret (paste into Jira's webhook Secret field); only when the connection was created or the secret rotated." }),
  })
  .meta({ id: "SavedJiraConnection" });

export const jiraConnectionTestSchema = z
  .union([
    z.strictObject({ ok: z.literal(true), accountId: z.string(), displayName: z.string().nullable() }),
    z.strictObject({ ok: z.literal(false), message: z.string().meta({ description: "What Jira answered, e.g. a 401 for a wrong token." }) }),
  ])
  .meta({ id: "JiraConnectionTest" });
