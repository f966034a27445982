import { Pinecone, type Index } from "@pinecone-database/pinecone";
import { sql } from "drizzle-orm";
import type { Database, DbOrTx } from "@/db/client";
import { env } from "@/lib/env";
import { activeEmbedder } from "./embeddings";
import type { ActiveStore } from "./types";

/** Metadata kept with each Pinecone vector (the chunk's text and lines stay in Postgres). */
export type PineconeChunkMetadata = {
  /** `""` for organization-wide chunks (Pinecone metadata has no null). */
  repositoryId: string;
  source: string;
  sourceId: string;
  embedder: string;
};

/** What the last `ensureVectorStore` / `vectorStoreFor` found, for `activeStore()` (null: not checked yet). */
let lastChecked: ActiveStore | null = null;
/** Whether a database handle has pgvector's `embedding` column, checked once per handle. */
const pgvectorByHandle = new WeakMap<object, Promise<boolean>>();

async function hasEmbeddingColumn(db: DbOrTx): Promise<boolean> {
  const rows = await db.execute<{ present: boolean }>(sql`
    SELECT EXISTS (
      SELECT 1 FROM information_schema.columns
      WHERE table_schema = current_schema() AND table_name = 'knowledge_chunks' AND column_name = 'embedding'
    ) AS present`);
  return Boolean(rows[0]?.present);
}

function pineconeStore(): ActiveStore {
  return { kind: "pinecone", reason: `PINECONE_API_KEY is set: vectors go to Pinecone index "${env.PINECONE_INDEX}", one namespace per organization` };
}

function pgvectorStore(): ActiveStore {
  return { kind: "pgvector", reason: "the database has the pgvector extension: vectors live in knowledge_chunks.embedding (HNSW indexes)" };
}

function fulltextStore(): ActiveStore {
  return {
    kind: "fulltext-only",
    reason:
      "neither PINECONE_API_KEY nor pgvector on this database: knowledge is retrieved by Postgres full text only (install pgvector or set PINECONE_API_KEY for vector search)",
  };
}

/**
 * Which vector store is in use: `pinecone` when `PINECONE_API_KEY` is set, else `pgvector` when the
 * database has the `vector` extension (checked by `ensureVectorStore`, or on first use), else
 * `fulltext-only`. Before any check it reports `pgvector` as pending, with that reason.
 */
export function activeStore(): ActiveStore {
  if (env.PINECONE_API_KEY) return pineconeStore();
  return lastChecked ?? { kind: "pgvector", reason: "not checked yet: pgvector is used if the database has it (ensureVectorStore)" };
}

/**
 * The store for this database handle (checks the `embedding` column once per handle).
 * @throws the database's error when the check itself fails
 */
export async function vectorStoreFor(db: DbOrTx): Promise<ActiveStore> {
  if (env.PINECONE_API_KEY) return pineconeStore();
  let check = pgvectorByHandle.get(db);
  if (!check) {
    check = hasEmbeddingColumn(db);
    pgvectorByHandle.set(db, check);
    check.catch(() => pgvectorByHandle.delete(db));
  }
  lastChecked = (await check) ? pgvectorStore() : fulltextStore();
  return lastChecked;
}

/**
 * Run once at start as the database owner: creates the `vector` extension, the `embedding` column and
 * its HNSW indexes when the server offers pgvector (idempotent; the same block as migration
 * `0014_knowledge_chunks`), and records the outcome for `activeStore`.
 * @returns the active store with the reason it was chosen
 */
export async function ensureVectorStore(db: Database): Promise<ActiveStore> {
  if (env.PINECONE_API_KEY) return (lastChecked = pineconeStore());
  const available = await db.execute<{ available: boolean }>(sql`SELECT EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'vector') AS available`);
  if (available[0]?.available) {
    try {
      await db.transaction(async (tx) => {
        await tx.execute(sql`CREATE EXTENSION IF NOT EXISTS vector`);
        await tx.execute(sql`ALTER TABLE "knowledge_chunks" ADD COLUMN IF NOT EXISTS "embedding" vector`);
        await tx.execute(
          sql`CREATE INDEX IF NOT EXISTS "knowledge_chunks_embedding_512_idx" ON "knowledge_chunks" USING hnsw ((("embedding")::vector(512)) vector_cosine_ops) WHERE "dimensions" = 512`,
        );
        await tx.execute(
          sql`CREATE INDEX IF NOT EXISTS "knowledge_chunks_embedding_1536_idx" ON "knowledge_chunks" USING hnsw ((("embedding")::vector(1536)) vector_cosine_ops) WHERE "dimensions" = 1536`,
        );
      });
    } catch (error) {
      lastChecked = {
        kind: "fulltext-only",
        reason: `pgvector is available but could not be set up (${error instanceof Error ? error.message : String(error)}): full-text retrieval only`,
      };
      return lastChecked;
    }
  }
  pgvectorByHandle.delete(db);
  return vectorStoreFor(db);
}

/** `ensureVectorStore` + one log line naming the active store, the embedder and why. @returns that line */
export async function describeActiveStore(db: Database): Promise<string> {
  const store = await ensureVectorStore(db);
  const embedder = activeEmbedder();
  const line = `[knowledge] store: ${store.kind} — ${store.reason}; embedder: ${embedder.name}`;
  console.log(line);
  return line;
}

let pinecone: { key: string; index: Index<PineconeChunkMetadata> } | undefined;

/**
 * The Pinecone index of the knowledge base (`PINECONE_INDEX`, at `PINECONE_HOST` when set, else looked
 * up by name through the control plane at `PINECONE_CONTROLLER_HOST` / api.pinecone.io).
 * @throws Error when `PINECONE_API_KEY` is unset
 */
export function pineconeIndex(): Index<PineconeChunkMetadata> {
  const apiKey = env.PINECONE_API_KEY;
  if (!apiKey) throw new Error("PINECONE_API_KEY is not set");
  const key = `${apiKey}|${env.PINECONE_INDEX}|${env.PINECONE_HOST ?? ""}|${env.PINECONE_CONTROLLER_HOST ?? ""}`;
  if (pinecone?.key !== key) {
    const client = new Pinecone({ apiKey, ...(env.PINECONE_CONTROLLER_HOST ? { controllerHostUrl: env.PINECONE_CONTROLLER_HOST } : {}), maxRetries: 2 });
    pinecone = { key, index: client.index<PineconeChunkMetadata>({ name: env.PINECONE_INDEX, ...(env.PINECONE_HOST ? { host: env.PINECONE_HOST } : {}) }) };
  }
  return pinecone.index;
}
