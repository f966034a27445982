import { and, eq, inArray, isNull, or, sql, type SQL } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { knowledgeChunks } from "@/db/schema";
import { embedTexts } from "./embeddings";
import { chunkIdsIn, vectorLiteral } from "./index-chunks";
import { pineconeIndex, vectorStoreFor } from "./stores";
import type { KnowledgeHit, KnowledgeSource, SearchKnowledgeInput } from "./types";

/**
 * Reciprocal-rank-fusion constant of the hybrid search. Cormack, Clarke & Büttcher (SIGIR 2009) use
 * k = 60 for fusing many long runs; with two short candidate lists a smaller k lets the top of each
 * list count. 10 was the best of five settings on the labelled questions of `npm run bench:retrieval`
 * (BENCHMARKS.md, "Retrieval").
 */
export const RRF_K = 10;
/**
 * Weights of the two lists in the fusion (same source): full text 1, vector 0.5 — the offline
 * embedder sees code poorly (vector-only recall@5 0.32 on the axios corpus vs 0.64 for full text), so
 * its list informs rather than decides.
 */
export const FUSION_WEIGHTS = { fullText: 1, vector: 0.5 } as const;
const DEFAULT_LIMIT = 8;
const MAX_LIMIT = 50;

/** The columns a hit needs (not the tsvector, the identifier words or the embedding). */
const hitColumns = {
  id: knowledgeChunks.id,
  source: knowledgeChunks.source,
  sourceId: knowledgeChunks.sourceId,
  path: knowledgeChunks.path,
  startLine: knowledgeChunks.startLine,
  endLine: knowledgeChunks.endLine,
  content: knowledgeChunks.content,
  language: knowledgeChunks.language,
  repositoryId: knowledgeChunks.repositoryId,
};
type Row = { id: string; source: string; sourceId: string; path: string; startLine: number; endLine: number; content: string; language: string; repositoryId: string | null };
type Ranked = { row: Row; score: number };

function toHit(row: Row, score: number): KnowledgeHit {
  return {
    source: row.source as KnowledgeSource,
    sourceId: row.sourceId,
    path: row.path,
    startLine: row.startLine,
    endLine: row.endLine,
    score,
    text: row.content,
    language: row.language,
    repositoryId: row.repositoryId,
  };
}

/** Deterministic order among equal scores: path, then first line (never the random chunk id). */
function byPlace(a: Row, b: Row): number {
  return a.path < b.path ? -1 : a.path > b.path ? 1 : a.startLine - b.startLine;
}

/** Organization, sources and repository (that repository + organization-wide; null: organization-wide only). */
function scope(input: SearchKnowledgeInput): SQL {
  const conditions: SQL[] = [eq(knowledgeChunks.organizationId, input.organizationId)];
  if (input.sources?.length) conditions.push(inArray(knowledgeChunks.source, input.sources));
  if (input.repositoryId === null) conditions.push(isNull(knowledgeChunks.repositoryId));
  else if (input.repositoryId !== undefined) conditions.push(or(eq(knowledgeChunks.repositoryId, input.repositoryId), isNull(knowledgeChunks.repositoryId))!);
  return and(...conditions)!;
}

/**
 * Full text: any of the query's words (English stemming, stop words dropped) against path (weight A)
 * and content + identifier words (weight B). Ranked by coverage first — how many of the query's
 * distinct words the chunk contains — then `ts_rank_cd`, so a short chunk holding every word beats a
 * long one repeating a common word. Score = coverage + rank / (1 + rank) (higher is better).
 */
async function fullTextRanking(db: DbOrTx, input: SearchKnowledgeInput, n: number): Promise<Ranked[]> {
  // plainto_tsquery ANDs the words; an OR of them (`a | b`) ranks partial matches too.
  const query = sql`replace(plainto_tsquery('english', ${input.query})::text, ' & ', ' | ')::tsquery`;
  const rank = sql<number>`ts_rank_cd(${knowledgeChunks.searchVector}, ${query})`;
  const words = sql`array(select quote_literal(l)::tsquery from unnest(tsvector_to_array(to_tsvector('english', ${input.query}))) as l)`;
  const coverage = sql<number>`(select count(*) from unnest(${words}) as w where ${knowledgeChunks.searchVector} @@ w)`;
  const rows = await db
    .select({ row: hitColumns, coverage, rank })
    .from(knowledgeChunks)
    .where(and(scope(input), sql`${knowledgeChunks.searchVector} @@ ${query}`))
    .orderBy(sql`${coverage} desc`, sql`${rank} desc`, knowledgeChunks.path, knowledgeChunks.startLine)
    .limit(n);
  return rows.map((r) => {
    const rk = Number(r.rank);
    return { row: r.row, score: Number(r.coverage) + rk / (1 + rk) };
  });
}

/** Vector neighbours of the query among chunks of the same embedder, by cosine similarity. */
async function vectorRanking(db: DbOrTx, input: SearchKnowledgeInput, n: number, kind: "pgvector" | "pinecone"): Promise<Ranked[]> {
  const { embedder, dimensions, vectors } = await embedTexts([input.query]);
  const q = vectors[0]!;
  if (kind === "pgvector") {
    if (!Number.isInteger(dimensions) || dimensions <= 0) return [];
    // The cast to vector(<dimensions>) matches the partial HNSW index expression of that size.
    const typed = sql.raw(`vector(${dimensions})`);
    const distance = sql`(embedding)::${typed} <=> ${vectorLiteral(q)}::${typed}`;
    const rows = await db
      .select({ row: hitColumns, distance: sql<number>`${distance}` })
      .from(knowledgeChunks)
      .where(and(scope(input), eq(knowledgeChunks.embedder, embedder), eq(knowledgeChunks.dimensions, dimensions), sql`embedding IS NOT NULL`))
      .orderBy(distance, knowledgeChunks.path, knowledgeChunks.startLine)
      .limit(n);
    return rows.map((r) => ({ row: r.row, score: 1 - Number(r.distance) }));
  }
  const filter: Record<string, unknown> = { embedder: { $eq: embedder } };
  if (input.sources?.length) filter.source = { $in: input.sources };
  if (input.repositoryId === null) filter.repositoryId = { $eq: "" };
  else if (input.repositoryId !== undefined) filter.repositoryId = { $in: [input.repositoryId, ""] };
  const res = await pineconeIndex().query({ namespace: input.organizationId, vector: q, topK: n, filter, includeMetadata: false, includeValues: false });
  const matches = res.matches ?? [];
  if (matches.length === 0) return [];
  // Text and lines come from Postgres, under the organization's filter (and RLS) again.
  const rows = await db.select(hitColumns).from(knowledgeChunks).where(and(chunkIdsIn(input.organizationId, matches.map((m) => m.id)), scope(input)));
  const byId = new Map(rows.map((r) => [r.id, r]));
  return matches.flatMap((m) => {
    const row = byId.get(m.id);
    return row ? [{ row, score: m.score ?? 0 }] : [];
  });
}

/**
 * Hybrid retrieval for one organization: top vector neighbours (active store, same embedder only)
 * and top Postgres full-text matches (computed concurrently), fused by weighted reciprocal rank
 * (score = Σ weight / ({@link RRF_K} + rank), weights {@link FUSION_WEIGHTS}). Only the organization's
 * chunks are ever read (filter + RLS; Pinecone namespace = organization id). With the `fulltext-only`
 * store, or when the query cannot be embedded (logged), hybrid is full text alone.
 * @returns hits best first (ties by path and line), at most `limit` (default 8, at most 50)
 * @throws database / store errors; in `vector` mode an Error "vector search is unavailable: …" without
 *   a vector store, and embedding errors
 */
export async function searchKnowledge(db: DbOrTx, input: SearchKnowledgeInput): Promise<KnowledgeHit[]> {
  const limit = Math.min(Math.max(Math.trunc(input.limit ?? DEFAULT_LIMIT), 1), MAX_LIMIT);
  const query = input.query.trim();
  if (!query) return [];
  const q = { ...input, query };
  const mode = input.mode ?? "hybrid";
  const candidates = Math.max(limit * 4, 20);
  const store = await vectorStoreFor(db);
  const vectorKind = store.kind === "fulltext-only" ? null : store.kind;

  if (mode === "fulltext") return (await fullTextRanking(db, q, limit)).map((r) => toHit(r.row, r.score));
  if (mode === "vector") {
    if (!vectorKind) throw new Error(`vector search is unavailable: ${store.reason}`);
    return (await vectorRanking(db, q, limit, vectorKind)).map((r) => toHit(r.row, r.score));
  }

  const [fullText, vector] = await Promise.all([
    fullTextRanking(db, q, candidates),
    vectorKind
      ? vectorRanking(db, q, candidates, vectorKind).catch((error: unknown) => {
          console.warn(`[knowledge] vector search failed, using full text only: ${error instanceof Error ? error.message : String(error)}`);
          return [] as Ranked[];
        })
      : Promise.resolve([] as Ranked[]),
  ]);
  const fused = new Map<string, Ranked>();
  for (const [list, weight] of [
    [fullText, FUSION_WEIGHTS.fullText],
    [vector, FUSION_WEIGHTS.vector],
  ] as const) {
    list.forEach((r, i) => {
      const prev = fused.get(r.row.id);
      fused.set(r.row.id, { row: r.row, score: (prev?.score ?? 0) + weight / (RRF_K + i + 1) });
    });
  }
  return [...fused.values()]
    .sort((a, b) => b.score - a.score || byPlace(a.row, b.row))
    .slice(0, limit)
    .map((r) => toHit(r.row, r.score));
}

/** A hit's citation: `path:start-end`. */
export function citationOf(hit: Pick<KnowledgeHit, "path" | "startLine" | "endLine">): string {
  return `${hit.path}:${hit.startLine}-${hit.endLine}`;
}

/**
 * Renders hits as a brief section: one `path:start-end (source)` citation line then the text, per
 * hit, best first, stopping before `maxChars` characters (a hit that does not fit is cut with a marker).
 */
export function formatCitations(hits: KnowledgeHit[], maxChars = 6000): string {
  const parts: string[] = [];
  let used = 0;
  for (const hit of hits) {
    const head = `[${citationOf(hit)}] (${hit.source})\n`;
    const body = hit.text.trimEnd();
    const room = maxChars - used - head.length;
    if (room < 80) break;
    const text = body.length > room ? `${body.slice(0, room - 20)}\n… (cut)` : body;
    parts.push(head + text);
    used += head.length + text.length + 2;
  }
  return parts.join("\n\n");
}
