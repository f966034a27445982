import { z } from "zod";
import { getDb } from "@/db/client";
import { citationOf, formatCitations, searchKnowledge } from "@/lib/knowledge/search";
import type { KnowledgeHit } from "@/lib/knowledge/types";
import { MAX_TOOL_RESULT_CHARS, defineTool, failure, type ToolResult } from "./shared";

/** Default and most hits one `search_knowledge` call returns. */
export const DEFAULT_KNOWLEDGE_HITS = 6;
export const MAX_KNOWLEDGE_HITS = 20;

const schema = z.object({
  query: z.string().trim().min(1).max(1_000).describe("What to look for, in words or identifiers, e.g. how errors are answered in HTTP handlers"),
  limit: z
    .number()
    .int()
    .min(1)
    .max(MAX_KNOWLEDGE_HITS)
    .optional()
    .describe(`Most results (1-${MAX_KNOWLEDGE_HITS}, default ${DEFAULT_KNOWLEDGE_HITS})`),
});

/**
 * The model-facing text of a knowledge search: a count line, then each hit under its
 * `[path:start-end] (source)` citation (via `formatCitations`), the whole at most `maxChars`
 * characters; hits that did not fit are listed by citation only when room allows, else counted.
 * With no hits it says plainly that nothing was found.
 */
export function knowledgeResultText(query: string, hits: readonly KnowledgeHit[], maxChars = MAX_TOOL_RESULT_CHARS): string {
  if (hits.length === 0) {
    return `No knowledge found for ${JSON.stringify(query)} in the repository's indexed code, the organization's documents or lessons. Try other words, or search the files with search.`;
  }
  const head = `${hits.length} result${hits.length === 1 ? "" : "s"} for ${JSON.stringify(query)} (best first; cite them as path:start-end):`;
  // Room kept for naming the hits that do not fit (their citations), at most a quarter of the bound.
  const reserve = Math.min(hits.map(citationOf).join(", ").length + 60, Math.floor(maxChars / 4));
  const room = Math.max(maxChars - head.length - 2 - reserve, 0);
  const body = formatCitations([...hits], room);
  // formatCitations stops at the first hit that does not fit: count the hits that changed its output.
  let shown = 0;
  while (shown < hits.length && formatCitations(hits.slice(0, shown + 1), room) !== formatCitations(hits.slice(0, shown), room)) shown += 1;
  let tail = "";
  if (shown < hits.length) {
    const rest = hits.slice(shown).map((h) => citationOf(h));
    const listed = `\n\n… ${rest.length} more (not shown, too long): ${rest.join(", ")}`;
    tail = listed.length <= maxChars - head.length - body.length - 2 ? listed : `\n\n… ${rest.length} more not shown: narrow the query or lower limit`;
  }
  const text = `${head}\n\n${body}${tail}`;
  return text.length > maxChars ? `${text.slice(0, maxChars - 10)}\n… (cut)` : text;
}

/**
 * `search_knowledge(query, limit?)`: hybrid search (vector + full text, `searchKnowledge`) over the
 * knowledge of the task's organization: the repository's indexed code, the organization's documents
 * and lessons (the task's repository plus organization-wide ones). Needs `ctx.knowledge` (the
 * organization and repository, set by the agent loop); without it, it refuses. Output: see
 * {@link knowledgeResultText} (at most {@link MAX_TOOL_RESULT_CHARS} characters).
 * `data`: `{ count, hits: { path, startLine, endLine, source, sourceId, score }[] }`.
 */
export const searchKnowledgeTool = defineTool({
  name: "search_knowledge",
  description:
    "Search the squad's knowledge: the repository's indexed code, the organization's documents (style guides, " +
    "runbooks, specs) and lessons from earlier tasks, by meaning and by words. Returns the best passages with " +
    "path:start-end citations; read_file the code ones for more context. Use it to find conventions and where things live.",
  schema,
  async run(ctx, args): Promise<ToolResult> {
    if (!ctx.knowledge) return failure("search_knowledge is not available here (no organization knowledge in this run).");
    const hits = await searchKnowledge(getDb(), {
      organizationId: ctx.knowledge.organizationId,
      repositoryId: ctx.knowledge.repositoryId,
      query: args.query,
      limit: args.limit ?? DEFAULT_KNOWLEDGE_HITS,
    });
    return {
      ok: true,
      output: knowledgeResultText(args.query, hits),
      data: {
        count: hits.length,
        hits: hits.map((h) => ({ path: h.path, startLine: h.startLine, endLine: h.endLine, source: h.source, sourceId: h.sourceId, score: h.score })),
      },
    };
  },
});
