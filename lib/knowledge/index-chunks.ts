import { and, eq, inArray, isNull, sql, type SQL } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { knowledgeChunks } from "@/db/schema";
import { embedTexts } from "./embeddings";
import { pineconeIndex, vectorStoreFor } from "./stores";
import type { ChunkInput, DeleteBySourceInput, IndexChunksInput } from "./types";

/** Rows per INSERT / vectors per Pinecone request. */
const WRITE_BATCH = 100;
/** Characters of identifier words kept per chunk for full text. */
const MAX_SEARCH_TERMS_CHARS = 4_000;

/**
 * The words inside code identifiers (`createTodo` → `create todo`, `MAX_RETRIES` → `max retries`),
 * so full-text search finds a chunk by the words of the names it defines or uses.
 */
export function identifierWords(text: string): string {
  const words = new Set<string>();
  for (const id of text.match(/[A-Za-z_$][\w$]{2,}/g) ?? []) {
    const parts = id
      .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
      .replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2")
      .split(/[_$\s]+/)
      .filter((p) => p.length > 1);
    if (parts.length > 1) for (const p of parts) words.add(p.toLowerCase());
  }
  return [...words].join(" ").slice(0, MAX_SEARCH_TERMS_CHARS);
}

function sourceScope(input: DeleteBySourceInput): SQL {
  const conditions: SQL[] = [eq(knowledgeChunks.organizationId, input.organizationId), eq(knowledgeChunks.source, input.source)];
  if (input.repositoryId !== undefined) {
    conditions.push(input.repositoryId === null ? isNull(knowledgeChunks.repositoryId) : eq(knowledgeChunks.repositoryId, input.repositoryId));
  }
  if (input.sourceId !== undefined) conditions.push(eq(knowledgeChunks.sourceId, input.sourceId));
  return and(...conditions)!;
}

function batches<T>(items: T[], size = WRITE_BATCH): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** pgvector's text form of a vector (`[0.1,0.2,…]`). */
export function vectorLiteral(v: number[]): string {
  return `[${v.join(",")}]`;
}

/**
 * Deletes the chunks (rows, and their vectors in Pinecone when it is the store) of a source, or of
 * every source of a kind (`sourceId` omitted), within the organization (and repository when given).
 * Pinecone vectors are removed after the rows; should the caller's transaction then roll back, the
 * rows stay and only lose vector recall (full text still finds them) until they are indexed again.
 * @returns the number of chunks deleted
 * @throws database or Pinecone errors
 */
export async function deleteBySource(db: DbOrTx, input: DeleteBySourceInput): Promise<number> {
  const deleted = await db.delete(knowledgeChunks).where(sourceScope(input)).returning({ id: knowledgeChunks.id });
  if (deleted.length > 0 && (await vectorStoreFor(db)).kind === "pinecone") {
    const index = pineconeIndex();
    for (const ids of batches(deleted.map((d) => d.id), 1_000)) await index.deleteMany({ ids, namespace: input.organizationId });
  }
  return deleted.length;
}

/**
 * Replaces the chunks of one source (`organizationId, repositoryId, source, sourceId`): deletes the
 * previous ones (rows and vectors), embeds the new texts (unless the store is full-text only) and
 * stores them in Postgres (text, lines, full-text vector, the embedding under pgvector) and, under
 * Pinecone, upserts their vectors into the organization's namespace. An empty `chunks` list just deletes.
 * Texts are embedded before anything is written, so an embedder failure leaves the old chunks in place.
 * @returns `{ chunkIds, embedder, dimensions }` (`embedder` null and `dimensions` 0 when nothing was embedded)
 * @throws embedding / store errors (the Postgres part is rolled back with the caller's transaction)
 */
export async function indexChunks(
  db: DbOrTx,
  input: IndexChunksInput,
): Promise<{ chunkIds: string[]; embedder: string | null; dimensions: number }> {
  for (const c of input.chunks) {
    if (!(Number.isInteger(c.startLine) && Number.isInteger(c.endLine) && c.startLine >= 1 && c.endLine >= c.startLine)) {
      throw new Error(`chunk ${c.path}:${c.startLine}-${c.endLine}: lines must be 1-based with startLine <= endLine`);
    }
  }
  const store = await vectorStoreFor(db);
  const embedded = input.chunks.length > 0 && store.kind !== "fulltext-only" ? await embedTexts(input.chunks.map(embeddingText)) : null;
  await deleteBySource(db, input);
  if (input.chunks.length === 0) return { chunkIds: [], embedder: null, dimensions: 0 };

  const chunkIds: string[] = [];
  for (const [b, group] of batches(input.chunks).entries()) {
    const rows = await db
      .insert(knowledgeChunks)
      .values(
        group.map((c) => ({
          organizationId: input.organizationId,
          repositoryId: input.repositoryId,
          source: input.source,
          sourceId: input.sourceId,
          path: c.path,
          startLine: c.startLine,
          endLine: c.endLine,
          language: c.language,
          commit: c.commit ?? null,
          blobId: c.blobId ?? null,
          content: c.text,
          searchTerms: identifierWords(`${c.path} ${c.text}`),
          embedder: embedded?.embedder ?? null,
          dimensions: embedded?.dimensions ?? null,
        })),
      )
      .returning({ id: knowledgeChunks.id });
    const ids = rows.map((r) => r.id);
    chunkIds.push(...ids);
    if (!embedded) continue;
    const vectors = embedded.vectors.slice(b * WRITE_BATCH, b * WRITE_BATCH + group.length);
    if (store.kind === "pgvector") {
      const values = sql.join(
        ids.map((id, i) => sql`(${id}::uuid, ${vectorLiteral(vectors[i]!)})`),
        sql`, `,
      );
      await db.execute(sql`
        UPDATE knowledge_chunks AS k SET embedding = v.embedding::vector
        FROM (VALUES ${values}) AS v(id, embedding)
        WHERE k.id = v.id AND k.organization_id = ${input.organizationId}`);
    } else {
      await pineconeIndex().upsert({
        namespace: input.organizationId,
        records: ids.map((id, i) => ({
          id,
          values: vectors[i]!,
          metadata: { repositoryId: input.repositoryId ?? "", source: input.source, sourceId: input.sourceId, embedder: embedded.embedder },
        })),
      });
    }
  }
  return { chunkIds, embedder: embedded?.embedder ?? null, dimensions: embedded?.dimensions ?? 0 };
}

/** What is embedded for a chunk: its path (a strong signal for code) then its text. */
function embeddingText(c: ChunkInput): string {
  return `${c.path}\n${c.text}`;
}

/** Ids of chunks by id list, scoped to the organization (used by Pinecone hits → rows). */
export function chunkIdsIn(organizationId: string, ids: string[]): SQL {
  return and(eq(knowledgeChunks.organizationId, organizationId), inArray(knowledgeChunks.id, ids))!;
}
