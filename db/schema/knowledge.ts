import { sql } from "drizzle-orm";
import { customType, index, integer, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { createdAt, organizationId, updatedAt } from "./_columns";
import { repositories } from "./squads";

const tsvector = customType<{ data: string }>({ dataType: () => "tsvector" });

/** Where a chunk came from (`lib/knowledge`): repository code, an uploaded document, a lesson. */
export const knowledgeChunkSources = ["code", "document", "lesson"] as const;

/**
 * One retrievable piece of text (`lib/knowledge`). Text, metadata and the full-text vector always
 * live here; the embedding lives in the `embedding` column (pgvector) when the server has the
 * extension — that column and its HNSW indexes are created conditionally (migration
 * `0014_knowledge_chunks` and `ensureVectorStore` at start), so the table also exists on a
 * PostgreSQL without pgvector — or in Pinecone under the chunk's id.
 *
 * `embedder` + `dimensions` say which model produced the chunk's vector (null: not embedded);
 * searches only compare vectors of the query's embedder, so dimensions never mix.
 */
export const knowledgeChunks = pgTable(
  "knowledge_chunks",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    organizationId: organizationId(),
    /** null = organization-wide (documents and lessons not tied to one repository). */
    repositoryId: uuid("repository_id").references(() => repositories.id, { onDelete: "cascade" }),
    source: text("source", { enum: knowledgeChunkSources }).notNull(),
    /** File path (code), document id, lesson id: what `indexChunks` replaces as a unit. */
    sourceId: text("source_id").notNull(),
    path: text("path").notNull(),
    /** 1-based, inclusive. */
    startLine: integer("start_line").notNull(),
    endLine: integer("end_line").notNull(),
    language: text("language").notNull(),
    commit: text("commit"),
    /** git blob id of the file (code): an unchanged blob is not re-embedded. */
    blobId: text("blob_id"),
    content: text("content").notNull(),
    /** Identifier parts (`createTodo` → `create todo`) so full text matches words inside code names. */
    searchTerms: text("search_terms").notNull().default(""),
    embedder: text("embedder"),
    dimensions: integer("dimensions"),
    searchVector: tsvector("search_vector").generatedAlwaysAs(
      sql`setweight(to_tsvector('simple'::regconfig, "path"), 'A') || setweight(to_tsvector('english'::regconfig, "content" || ' ' || "search_terms"), 'B')`,
    ),
    createdAt: createdAt(),
  },
  (t) => [
    index("knowledge_chunks_source_idx").on(t.organizationId, t.repositoryId, t.source, t.sourceId),
    index("knowledge_chunks_search_vector_idx").using("gin", t.searchVector),
  ],
);

export const knowledgeIndexStatuses = ["indexing", "indexed", "failed"] as const;

/** A repository's code index: progress of the latest run (files indexed / total) and its outcome. */
export const knowledgeIndexRuns = pgTable(
  "knowledge_index_runs",
  {
    repositoryId: uuid("repository_id")
      .primaryKey()
      .references(() => repositories.id, { onDelete: "cascade" }),
    organizationId: organizationId(),
    status: text("status", { enum: knowledgeIndexStatuses }).notNull(),
    commit: text("commit"),
    filesTotal: integer("files_total").notNull().default(0),
    /** Files done in this run (re-embedded or skipped because their blob was already indexed). */
    filesIndexed: integer("files_indexed").notNull().default(0),
    filesSkipped: integer("files_skipped").notNull().default(0),
    chunks: integer("chunks").notNull().default(0),
    embedder: text("embedder"),
    store: text("store"),
    error: text("error"),
    startedAt: timestamp("started_at", { withTimezone: true }).notNull().defaultNow(),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index("knowledge_index_runs_organization_idx").on(t.organizationId)],
);
