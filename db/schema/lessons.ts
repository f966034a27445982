import { sql } from "drizzle-orm";
import { index, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { createdAt, organizationId, updatedAt } from "./_columns";
import { agentRoles } from "./agent-roles";
import { user } from "./auth";
import { repositories } from "./squads";
import { tasks } from "./tasks";

import { lessonSourceKinds } from "./knowledge-constants";

export { lessonSourceKinds, type LessonSourceKind } from "./knowledge-constants";

/**
 * A lesson that sticks: one short statement, learnt from what a person (or a failing test) said on
 * a task, retrieved into the briefs of later tasks on the same repository (`lib/lessons`).
 *
 * `role` null means every role. `(organization, sourceKind, sourceId)` is unique, so distilling the
 * same task again (a retry ends it a second time) adds nothing; a deleted lesson keeps its row with
 * `deletedAt` set so it is not learnt again, and is invisible to every read.
 */
export const lessons = pgTable(
  "lessons",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    organizationId: organizationId(),
    /** The repository the lesson is about; null = every repository of the organization. */
    repositoryId: uuid("repository_id").references(() => repositories.id, { onDelete: "cascade" }),
    role: text("role", { enum: agentRoles }),
    /** The lesson itself, one or two sentences (at most 500 characters). */
    statement: text("statement").notNull(),
    sourceKind: text("source_kind", { enum: lessonSourceKinds }).notNull(),
    /** Id of the source within its kind (approval id, review artifact id + comment, subtask id …), unique per kind. */
    sourceId: text("source_id").notNull(),
    /** The task the lesson was learnt on (null once that task is deleted). */
    sourceTaskId: uuid("source_task_id").references(() => tasks.id, { onDelete: "set null" }),
    /** Where a person sees the source: a path in the app (`/tasks/<id>`) or a GitHub URL. */
    sourceUrl: text("source_url"),
    /** The words the lesson was distilled from, as said (at most 2,000 characters). */
    sourceExcerpt: text("source_excerpt"),
    /** `rules` (deterministic, offline) or `provider:model` that distilled it. */
    distilledBy: text("distilled_by").notNull(),
    updatedByUserId: text("updated_by_user_id").references(() => user.id, { onDelete: "set null" }),
    deletedAt: timestamp("deleted_at", { withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("lessons_source_uq").on(t.organizationId, t.sourceKind, t.sourceId),
    index("lessons_organization_repository_idx").on(t.organizationId, t.repositoryId),
    index("lessons_statement_fts_idx").using("gin", sql`to_tsvector('english', ${t.statement})`),
  ],
);
