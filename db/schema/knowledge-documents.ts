import { index, integer, pgTable, text, uuid } from "drizzle-orm/pg-core";
import { createdAt, organizationId, updatedAt } from "./_columns";
import { user } from "./auth";
import { repositories } from "./squads";

import { knowledgeDocumentFormats, knowledgeDocumentStatuses } from "./knowledge-constants";

export { knowledgeDocumentFormats, knowledgeDocumentStatuses, type KnowledgeDocumentFormat, type KnowledgeDocumentStatus } from "./knowledge-constants";

/**
 * A document an organization uploaded for its squads to consult (style guide, ADR, API docs): the
 * full text is kept here, and its chunks (split along Markdown headings) are indexed with source
 * `document` (`lib/knowledge-documents`).
 */
export const knowledgeDocuments = pgTable(
  "knowledge_documents",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    organizationId: organizationId(),
    /** Limits retrieval to one repository's tasks; null = every repository of the organization. */
    repositoryId: uuid("repository_id").references(() => repositories.id, { onDelete: "cascade" }),
    title: text("title").notNull(),
    /** The uploaded file's name, when it came as a file. */
    filename: text("filename"),
    format: text("format", { enum: knowledgeDocumentFormats }).notNull(),
    content: text("content").notNull(),
    /** UTF-8 size of `content` in bytes. */
    sizeBytes: integer("size_bytes").notNull(),
    chunkCount: integer("chunk_count").notNull().default(0),
    status: text("status", { enum: knowledgeDocumentStatuses }).notNull().default("pending"),
    indexError: text("index_error"),
    createdByUserId: text("created_by_user_id").references(() => user.id, { onDelete: "set null" }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index("knowledge_documents_organization_created_idx").on(t.organizationId, t.createdAt)],
);
