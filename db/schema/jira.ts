import { boolean, index, jsonb, pgTable, text, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { createdAt, organizationId, updatedAt } from "./_columns";
import { tasks } from "./tasks";

/**
 * What starts a task from a Jira issue: the issue carries a label (e.g. `squad`), or it is assigned
 * to a chosen Jira user (their `accountId`, e.g. a "Squadron" bot account).
 */
export type JiraTrigger = { kind: "label"; label: string } | { kind: "assignee"; accountId: string };

/**
 * The Jira status (by name, as the project's workflow shows it, matched case-insensitively) to move
 * the issue to at each moment of a task; null leaves the issue where it is.
 * - `started`: a run of the task begins;
 * - `inReview`: the squad's work was delivered (a pull request or a patch waits for review);
 * - `done`: the task completed with nothing to review (the squad concluded no code had to change);
 * - `failed`: the task failed or was cancelled.
 */
export type JiraStatusMapping = {
  started: string | null;
  inReview: string | null;
  done: string | null;
  failed: string | null;
};

/**
 * An organization's Jira Cloud site (at most one per organization): Basic auth with an Atlassian
 * account's email and API token, the admin webhook's HMAC secret, which projects and which trigger
 * start tasks, which repository each project's tasks work on, and how Squadron's progress maps to
 * Jira statuses. Secrets are encrypted at rest (`lib/crypto/secrets.ts`) and never returned by the API.
 */
export const jiraConnections = pgTable(
  "jira_connections",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    organizationId: organizationId(),
    /** `https://<site>.atlassian.net` (origin only, no trailing slash). */
    siteUrl: text("site_url").notNull(),
    /** Email of the Atlassian account the API token belongs to (comments and transitions are made as it). */
    accountEmail: text("account_email").notNull(),
    apiTokenEncrypted: text("api_token_encrypted").notNull(),
    /** HMAC-SHA256 key of `X-Hub-Signature` on the admin webhook, encrypted. */
    webhookSecretEncrypted: text("webhook_secret_encrypted").notNull(),
    /** Project keys whose issues may start tasks (e.g. `["PROJ"]`); empty = none. */
    projectKeys: jsonb("project_keys").$type<string[]>().notNull().default([]),
    trigger: jsonb("trigger").$type<JiraTrigger>().notNull(),
    /** Jira project key → repository id (the organization's own); an unmapped project uses the default squad's. */
    projectRepositories: jsonb("project_repositories").$type<Record<string, string>>().notNull().default({}),
    statusMapping: jsonb("status_mapping").$type<JiraStatusMapping>().notNull(),
    /** Mirror the plan's subtasks as Jira sub-tasks of the issue, their status following the subtasks'. */
    syncSubtasks: boolean("sync_subtasks").notNull().default(false),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex("jira_connections_organization_uq").on(t.organizationId)],
);

/**
 * A Squadron task mirrored in Jira: the issue a task came from (`kind = issue`) or the Jira sub-task
 * created for one of its subtasks (`kind = subtask`). One row per task; `lastStatus` is the status
 * last applied, so a repeated step does not transition twice.
 */
export const jiraIssueLinks = pgTable(
  "jira_issue_links",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    organizationId: organizationId(),
    connectionId: uuid("connection_id")
      .notNull()
      .references(() => jiraConnections.id, { onDelete: "cascade" }),
    taskId: uuid("task_id")
      .notNull()
      .references(() => tasks.id, { onDelete: "cascade" }),
    kind: text("kind", { enum: ["issue", "subtask"] }).notNull(),
    /** The Jira issue key, e.g. `PROJ-7`. */
    issueKey: text("issue_key").notNull(),
    lastStatus: text("last_status"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex("jira_issue_links_task_uq").on(t.taskId), index("jira_issue_links_organization_id_idx").on(t.organizationId)],
);
