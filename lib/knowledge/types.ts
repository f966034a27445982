/** Where a chunk came from: a repository's code, an uploaded document, or a lesson. */
export const knowledgeSources = ["code", "document", "lesson"] as const;
export type KnowledgeSource = (typeof knowledgeSources)[number];

/** One piece of text to index. Lines are 1-based and inclusive (`startLine <= endLine`). */
export interface ChunkInput {
  /** Repository-relative path for code (`src/todos.ts`), a title/filename for documents, `lessons/<id>` for lessons. */
  path: string;
  startLine: number;
  endLine: number;
  /** `typescript`, `markdown`, `text`, … (see `languageForPath`). */
  language: string;
  text: string;
  /** The git commit the text was read at (code only). */
  commit?: string | null;
  /** The git blob id of the file the chunk belongs to (code only; drives incremental re-indexing). */
  blobId?: string | null;
}

export interface IndexChunksInput {
  organizationId: string;
  /** The repository the chunks belong to, or null for organization-wide knowledge. */
  repositoryId: string | null;
  source: KnowledgeSource;
  /**
   * Identifies what the chunks replace: a file path for code, a document id, a lesson id. Indexing
   * the same `(organizationId, repositoryId, source, sourceId)` again replaces its previous chunks.
   */
  sourceId: string;
  chunks: ChunkInput[];
}

export interface DeleteBySourceInput {
  organizationId: string;
  repositoryId?: string | null;
  source: KnowledgeSource;
  /** Omit to delete every chunk of `source` (for the repository when given). */
  sourceId?: string;
}

/** `hybrid` (default) fuses both rankings; the single modes exist for the benchmark and diagnostics. */
export type SearchMode = "hybrid" | "vector" | "fulltext";

export interface SearchKnowledgeInput {
  organizationId: string;
  /** Restricts to chunks of this repository plus organization-wide ones (repositoryId null). */
  repositoryId?: string | null;
  query: string;
  /** 1–50; default 8. */
  limit?: number;
  sources?: KnowledgeSource[];
  mode?: SearchMode;
}

export interface KnowledgeHit {
  source: KnowledgeSource;
  sourceId: string;
  path: string;
  startLine: number;
  endLine: number;
  /** Reciprocal-rank-fusion score (hybrid), cosine similarity (vector) or ts_rank_cd (fulltext); higher is better. */
  score: number;
  text: string;
  language: string;
  repositoryId: string | null;
}

export interface EmbeddingResult {
  /** `openai:text-embedding-3-small` or `energetic-ai:use-lite-en@0.2.0`. */
  embedder: string;
  dimensions: number;
  /** One vector per input text, in order; unit length (cosine = dot product). */
  vectors: number[][];
}

export interface ActiveStore {
  kind: "pgvector" | "pinecone" | "fulltext-only";
  /** One human sentence saying why this store was chosen (printed at start). */
  reason: string;
}
