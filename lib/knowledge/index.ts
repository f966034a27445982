/**
 * Knowledge retrieval core (issue 13): embeddings, vector stores, hybrid search, indexing.
 *
 * This is the public surface other parts of Squadron import (documents, lessons, agents' briefs,
 * the search API). Everything takes the database handle explicitly (`Database | Transaction`, as in
 * `db/queries`) and the organization explicitly; every row read or written carries `organization_id`
 * and sits under the `tenant_isolation` row-level security policy, so it may run inside `withTenant`.
 *
 * Stores: vectors live in pgvector (the `embedding` column of `knowledge_chunks`, HNSW-indexed per
 * dimension) when the database has the extension, in Pinecone (one namespace per organization) when
 * `PINECONE_API_KEY` is set, and nowhere otherwise (`fulltext-only`, said at start by
 * `describeActiveStore`). Text, metadata and the `tsvector` are always in Postgres; retrieval is
 * vector similarity + Postgres full text fused by reciprocal rank (k = 60, Cormack et al. 2009).
 */
export type {
  KnowledgeSource,
  ChunkInput,
  IndexChunksInput,
  DeleteBySourceInput,
  SearchKnowledgeInput,
  KnowledgeHit,
  EmbeddingResult,
  ActiveStore,
  SearchMode,
} from "./types";
export { knowledgeSources } from "./types";
export { embedTexts, activeEmbedder, LOCAL_EMBEDDER } from "./embeddings";
export { indexChunks, deleteBySource, identifierWords } from "./index-chunks";
export { searchKnowledge, formatCitations, citationOf, RRF_K } from "./search";
export { activeStore, describeActiveStore, ensureVectorStore, vectorStoreFor } from "./stores";
export { chunkFile, chunkMarkdown, languageForPath } from "./chunking";
export {
  indexRepository,
  indexRepositoryBatch,
  planRepositoryIndex,
  finishRepositoryIndex,
  failRepositoryIndex,
  getRepositoryIndexStatus,
  requestRepositoryIndex,
  isIndexablePath,
  INDEX_BATCH_FILES,
  type RepositoryIndexStatus,
} from "./repository-index";
