CREATE TABLE "knowledge_chunks" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organization_id" text NOT NULL,
	"repository_id" uuid,
	"source" text NOT NULL,
	"source_id" text NOT NULL,
	"path" text NOT NULL,
	"start_line" integer NOT NULL,
	"end_line" integer NOT NULL,
	"language" text NOT NULL,
	"commit" text,
	"blob_id" text,
	"content" text NOT NULL,
	"search_terms" text DEFAULT '' NOT NULL,
	"embedder" text,
	"dimensions" integer,
	"search_vector" "tsvector" GENERATED ALWAYS AS (setweight(to_tsvector('simple'::regconfig, "path"), 'A') || setweight(to_tsvector('english'::regconfig, "content" || ' ' || "search_terms"), 'B')) STORED,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "knowledge_index_runs" (
	"repository_id" uuid PRIMARY KEY NOT NULL,
	"organization_id" text NOT NULL,
	"status" text NOT NULL,
	"commit" text,
	"files_total" integer DEFAULT 0 NOT NULL,
	"files_indexed" integer DEFAULT 0 NOT NULL,
	"files_skipped" integer DEFAULT 0 NOT NULL,
	"chunks" integer DEFAULT 0 NOT NULL,
	"embedder" text,
	"store" text,
	"error" text,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "knowledge_chunks" ADD CONSTRAINT "knowledge_chunks_organization_id_organization_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organization"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "knowledge_chunks" ADD CONSTRAINT "knowledge_chunks_repository_id_repositories_id_fk" FOREIGN KEY ("repository_id") REFERENCES "public"."repositories"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "knowledge_index_runs" ADD CONSTRAINT "knowledge_index_runs_repository_id_repositories_id_fk" FOREIGN KEY ("repository_id") REFERENCES "public"."repositories"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "knowledge_index_runs" ADD CONSTRAINT "knowledge_index_runs_organization_id_organization_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organization"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "knowledge_chunks_source_idx" ON "knowledge_chunks" USING btree ("organization_id","repository_id","source","source_id");--> statement-breakpoint
CREATE INDEX "knowledge_chunks_search_vector_idx" ON "knowledge_chunks" USING gin ("search_vector");--> statement-breakpoint
CREATE INDEX "knowledge_index_runs_organization_idx" ON "knowledge_index_runs" USING btree ("organization_id");--> statement-breakpoint
-- Row-level security as in 0006_tenant_rls (grant, enable, policy).
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE "knowledge_chunks" TO squadron_tenant;
--> statement-breakpoint
ALTER TABLE "knowledge_chunks" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "knowledge_chunks" AS PERMISSIVE FOR ALL TO squadron_tenant USING ("organization_id" = current_setting('squadron.organization_id', true)) WITH CHECK ("organization_id" = current_setting('squadron.organization_id', true));
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE "knowledge_index_runs" TO squadron_tenant;
--> statement-breakpoint
ALTER TABLE "knowledge_index_runs" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "knowledge_index_runs" AS PERMISSIVE FOR ALL TO squadron_tenant USING ("organization_id" = current_setting('squadron.organization_id', true)) WITH CHECK ("organization_id" = current_setting('squadron.organization_id', true));
--> statement-breakpoint
-- pgvector only where the server offers it (PGlite does; the PostgreSQL 15 on these machines does not):
-- the untyped `embedding` column holds vectors of any size, and one HNSW index per dimension
-- (partial, on a cast to that size) keeps 512-dim and 1,536-dim vectors in separate indexes.
-- lib/knowledge/stores.ts (ensureVectorStore) runs the same block at start and says which store is active.
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'vector') THEN
    BEGIN
      CREATE EXTENSION IF NOT EXISTS vector;
      EXECUTE 'ALTER TABLE "knowledge_chunks" ADD COLUMN IF NOT EXISTS "embedding" vector';
      EXECUTE 'CREATE INDEX IF NOT EXISTS "knowledge_chunks_embedding_512_idx" ON "knowledge_chunks" USING hnsw ((("embedding")::vector(512)) vector_cosine_ops) WHERE "dimensions" = 512';
      EXECUTE 'CREATE INDEX IF NOT EXISTS "knowledge_chunks_embedding_1536_idx" ON "knowledge_chunks" USING hnsw ((("embedding")::vector(1536)) vector_cosine_ops) WHERE "dimensions" = 1536';
    EXCEPTION WHEN insufficient_privilege THEN
      RAISE WARNING 'knowledge: pgvector is available but this role may not create it (%); vectors need Pinecone or an owner to run CREATE EXTENSION vector', SQLERRM;
    END;
  ELSE
    RAISE NOTICE 'knowledge: pgvector is not available on this server; knowledge_chunks has no embedding column (use Pinecone, or full-text retrieval only)';
  END IF;
END $$;
