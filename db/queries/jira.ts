import { and, eq } from "drizzle-orm";
import type { DbOrTx } from "../client";
import { jiraConnections, jiraIssueLinks } from "../schema";

export type JiraConnectionRow = typeof jiraConnections.$inferSelect;
export type JiraConnectionValues = Omit<typeof jiraConnections.$inferInsert, "id" | "createdAt" | "updatedAt">;
export type JiraIssueLinkRow = typeof jiraIssueLinks.$inferSelect;

/** The organization's Jira connection (at most one), or undefined. */
export async function findJiraConnection(db: DbOrTx, q: { organizationId: string }): Promise<JiraConnectionRow | undefined> {
  const [row] = await db.select().from(jiraConnections).where(eq(jiraConnections.organizationId, q.organizationId)).limit(1);
  return row;
}

/**
 * A connection by id, for the webhook endpoint (`/api/webhooks/jira/<connection id>`), which learns
 * the organization from the connection. Runs on the owner connection: the caller has no tenant yet.
 */
export async function findJiraConnectionById(db: DbOrTx, q: { connectionId: string }): Promise<JiraConnectionRow | undefined> {
  const [row] = await db.select().from(jiraConnections).where(eq(jiraConnections.id, q.connectionId)).limit(1);
  return row;
}

/** Inserts the organization's connection or replaces its settings (one row per organization). */
export async function upsertJiraConnection(db: DbOrTx, values: JiraConnectionValues): Promise<{ row: JiraConnectionRow; created: boolean }> {
  const existing = await findJiraConnection(db, { organizationId: values.organizationId });
  if (existing) {
    const [row] = await db
      .update(jiraConnections)
      .set({ ...values, updatedAt: new Date() })
      .where(and(eq(jiraConnections.id, existing.id), eq(jiraConnections.organizationId, values.organizationId)))
      .returning();
    return { row, created: false };
  }
  const [row] = await db.insert(jiraConnections).values(values).returning();
  return { row, created: true };
}

/** Deletes the organization's connection (its issue links go with it). @returns whether one existed */
export async function deleteJiraConnection(db: DbOrTx, q: { organizationId: string }): Promise<boolean> {
  const rows = await db.delete(jiraConnections).where(eq(jiraConnections.organizationId, q.organizationId)).returning({ id: jiraConnections.id });
  return rows.length > 0;
}

/** The Jira issue a task is linked to (its source issue, or the sub-task made for a subtask). */
export async function findJiraIssueLink(db: DbOrTx, q: { organizationId: string; taskId: string }): Promise<JiraIssueLinkRow | undefined> {
  const [row] = await db
    .select()
    .from(jiraIssueLinks)
    .where(and(eq(jiraIssueLinks.organizationId, q.organizationId), eq(jiraIssueLinks.taskId, q.taskId)))
    .limit(1);
  return row;
}

/** Links a task to a Jira issue; an existing link of the task is kept (first writer wins). */
export async function insertJiraIssueLink(
  db: DbOrTx,
  values: { organizationId: string; connectionId: string; taskId: string; kind: "issue" | "subtask"; issueKey: string },
): Promise<JiraIssueLinkRow> {
  const [inserted] = await db.insert(jiraIssueLinks).values(values).onConflictDoNothing().returning();
  if (inserted) return inserted;
  const existing = await findJiraIssueLink(db, values);
  if (!existing) throw new Error(`Jira issue link of task ${values.taskId} belongs to another organization`);
  return existing;
}

/** Records the Jira status last applied to a linked issue. */
export async function setJiraIssueLinkStatus(db: DbOrTx, q: { organizationId: string; taskId: string; status: string }): Promise<void> {
  await db
    .update(jiraIssueLinks)
    .set({ lastStatus: q.status, updatedAt: new Date() })
    .where(and(eq(jiraIssueLinks.organizationId, q.organizationId), eq(jiraIssueLinks.taskId, q.taskId)));
}
