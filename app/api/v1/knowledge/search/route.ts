import { getDb } from "@/db/client";
import { findRepository } from "@/db/queries/squads";
import { withTenant } from "@/db/tenant";
import { parseQuery, withContext } from "@/lib/api/handler";
import { KNOWLEDGE_HIT_TEXT_CHARS, knowledgeSearchQuerySchema, type KnowledgeSearchResultJson } from "@/lib/api/response-schemas";
import { AppError, notFound } from "@/lib/errors";
import { citationOf, searchKnowledge, vectorStoreFor, type KnowledgeHit } from "@/lib/knowledge";

export const dynamic = "force-dynamic";

/** What `searchKnowledge` throws in `vector` mode without a vector store. */
const VECTOR_UNAVAILABLE = "vector search is unavailable:";

/** The hit's text, at most `KNOWLEDGE_HIT_TEXT_CHARS` characters (a cut one ends in `…`, never inside a surrogate pair). */
function excerpt(text: string): string {
  if (text.length <= KNOWLEDGE_HIT_TEXT_CHARS) return text;
  let end = KNOWLEDGE_HIT_TEXT_CHARS - 1;
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end -= 1;
  return `${text.slice(0, end)}…`;
}

function resultOf(hit: KnowledgeHit): KnowledgeSearchResultJson["items"][number] {
  return {
    citation: citationOf(hit),
    source: hit.source,
    sourceId: hit.sourceId,
    path: hit.path,
    startLine: hit.startLine,
    endLine: hit.endLine,
    score: hit.score,
    language: hit.language,
    repositoryId: hit.repositoryId,
    text: excerpt(hit.text),
  };
}

/**
 * `GET /api/v1/knowledge/search?q=&repositoryId=&limit=&source=&mode=` → `{ store, items }`: the
 * organization's knowledge (code, documents, lessons) best first, read under row-level security.
 * Another organization's `repositoryId` is a 404; `mode=vector` without a vector store is a 409.
 */
export const GET = withContext(
  async (req, ctx) => {
    const query = parseQuery(req, knowledgeSearchQuerySchema);
    const { organizationId } = ctx;
    const body = await withTenant(getDb(), organizationId, async (tx) => {
      if (query.repositoryId && !(await findRepository(tx, { organizationId, repositoryId: query.repositoryId }))) throw notFound("Repository");
      const store = await vectorStoreFor(tx);
      if (query.mode === "vector" && store.kind === "fulltext-only") throw new AppError("conflict", `Vector search is unavailable: ${store.reason}. Use mode=hybrid or mode=fulltext.`);
      let hits: KnowledgeHit[];
      try {
        hits = await searchKnowledge(tx, {
          organizationId,
          repositoryId: query.repositoryId,
          query: query.q,
          limit: query.limit,
          sources: query.source ? [query.source] : undefined,
          mode: query.mode,
        });
      } catch (error) {
        if (error instanceof Error && error.message.startsWith(VECTOR_UNAVAILABLE)) {
          throw new AppError("conflict", `Vector search is unavailable: ${error.message.slice(VECTOR_UNAVAILABLE.length).trim()}. Use mode=hybrid or mode=fulltext.`);
        }
        throw error;
      }
      const result: KnowledgeSearchResultJson = { store: { kind: store.kind, reason: store.reason }, items: hits.map(resultOf) };
      return result;
    });
    return Response.json(body);
  },
  { requires: { repository: ["read"] } },
);
