"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { useState } from "react";
import { useForm } from "react-hook-form";
import { z } from "zod";
import { ApiError, apiFetch } from "@/components/tasks/api";
import { Alert } from "@/components/ui/alert";
import { Badge, type BadgeTone } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { Field, fieldAria, Input } from "@/components/ui/field";
import { Select } from "@/components/ui/select";
import { Spinner } from "@/components/ui/spinner";

// Client-side view of `GET /api/v1/knowledge/search` (the server's schemas are
// `knowledgeSearchQuerySchema` / `knowledgeSearchResultSchema` in lib/api/response-schemas.ts,
// kept out of the browser bundle; the limits here are the same).

/** Longest query the API accepts (`MAX_KNOWLEDGE_QUERY_CHARS`). */
const MAX_QUERY_CHARS = 500;
/** Characters of each hit's text shown before "Show all". */
const EXCERPT_CHARS = 400;

export type KnowledgeStore = { kind: string; reason: string };

const storeSchema = z.object({ kind: z.string(), reason: z.string() });
const searchResponseSchema = z.object({
  store: storeSchema,
  items: z.array(
    z.object({
      citation: z.string(),
      source: z.string(),
      sourceId: z.string(),
      path: z.string(),
      startLine: z.number(),
      endLine: z.number(),
      score: z.number(),
      language: z.string(),
      repositoryId: z.string().nullable(),
      text: z.string(),
    }),
  ),
});
type SearchResponse = z.infer<typeof searchResponseSchema>;
type Hit = SearchResponse["items"][number];

const formSchema = z.object({
  q: z.string().trim().min(1, "Say what to search for.").max(MAX_QUERY_CHARS, `At most ${MAX_QUERY_CHARS} characters.`),
  source: z.enum(["", "code", "document", "lesson"]),
  repositoryId: z.string(),
});
type FormInput = z.input<typeof formSchema>;
type FormOutput = z.output<typeof formSchema>;

const sourceLabels: Record<string, { label: string; tone: BadgeTone }> = {
  code: { label: "Code", tone: "indigo" },
  document: { label: "Document", tone: "blue" },
  lesson: { label: "Lesson", tone: "violet" },
};

/** One line saying which store retrieval uses and why, e.g. "Full-text search only: …". */
export function storeLine(store: KnowledgeStore): string {
  const reason = store.reason ? store.reason.charAt(0).toUpperCase() + store.reason.slice(1) : "";
  const head =
    store.kind === "pgvector"
      ? "Vector and full-text search (pgvector)"
      : store.kind === "pinecone"
        ? "Vector and full-text search (Pinecone)"
        : store.kind === "fulltext-only"
          ? "Full-text search only"
          : `Store: ${store.kind}`;
  return reason ? `${head}: ${reason}.`.replace(/\.\.$/, ".") : `${head}.`;
}

/**
 * Settings → Knowledge, search: what the squads' briefs would retrieve for a question, each hit with
 * its `path:start-end` citation, its source and an excerpt, plus the active store and why.
 */
export function SearchPanel({ store: initialStore, repositoryNames }: { store: KnowledgeStore; repositoryNames: Record<string, string> }) {
  const [store, setStore] = useState<KnowledgeStore>(initialStore);
  const [answer, setAnswer] = useState<{ query: string; results: Hit[] } | null>(null);
  const {
    register,
    handleSubmit,
    setError,
    formState: { errors, isSubmitting },
  } = useForm<FormInput, unknown, FormOutput>({ resolver: zodResolver(formSchema), defaultValues: { q: "", source: "", repositoryId: "" } });

  const onSubmit = handleSubmit(async (values) => {
    const params = new URLSearchParams({ q: values.q });
    if (values.source) params.set("source", values.source);
    if (values.repositoryId) params.set("repositoryId", values.repositoryId);
    try {
      const res = await apiFetch(`/api/v1/knowledge/search?${params}`, searchResponseSchema);
      setStore(res.store);
      setAnswer({ query: values.q, results: res.items });
    } catch (e) {
      setAnswer(null);
      if (e instanceof ApiError && e.status === 422) {
        const issue = e.issues.find((i) => i.path === "q");
        if (issue) {
          setError("q", { message: issue.message }, { shouldFocus: true });
          return;
        }
      }
      setError("root", { message: e instanceof Error && e.message ? e.message : "Couldn't search the knowledge base." });
    }
  });

  const repositories = Object.entries(repositoryNames);
  return (
    <Card aria-labelledby="knowledge-search-heading">
      <CardHeader
        headingId="knowledge-search-heading"
        title="Search the knowledge base"
        description="What your squads' briefs retrieve: indexed code, documents and lessons, best first, with the citation agents see."
      />
      <CardBody className="space-y-4">
        <p className="text-xs text-zinc-600" data-testid="knowledge-store" data-store-kind={store.kind}>
          {storeLine(store)}
        </p>
        <form onSubmit={onSubmit} noValidate role="search" aria-label="Search the knowledge base" className="space-y-4">
          <Field id="knowledge-query" label="Search for" error={errors.q?.message}>
            <Input type="search" autoComplete="off" placeholder="e.g. how are columns named?" {...fieldAria("knowledge-query", errors.q?.message)} {...register("q")} />
          </Field>
          <div className="grid gap-4 sm:grid-cols-2">
            <Field id="knowledge-source" label="Source">
              <Select id="knowledge-source" {...register("source")}>
                <option value="">All sources</option>
                <option value="code">Code</option>
                <option value="document">Documents</option>
                <option value="lesson">Lessons</option>
              </Select>
            </Field>
            {repositories.length > 0 ? (
              <Field id="knowledge-repository" label="Repository">
                <Select id="knowledge-repository" {...register("repositoryId")}>
                  <option value="">All repositories</option>
                  {repositories.map(([id, name]) => (
                    <option key={id} value={id}>
                      {name}
                    </option>
                  ))}
                </Select>
              </Field>
            ) : null}
          </div>
          {errors.root?.message ? <Alert>{errors.root.message}</Alert> : null}
          <Button type="submit" disabled={isSubmitting}>
            {isSubmitting ? <Spinner /> : null}
            Search
          </Button>
        </form>
        {answer ? <Results query={answer.query} results={answer.results} /> : null}
      </CardBody>
    </Card>
  );
}

function Results({ query, results }: { query: string; results: Hit[] }) {
  if (results.length === 0) {
    return (
      <p role="status" className="text-sm text-zinc-600" data-testid="knowledge-search-empty">
        Nothing found for “{query}”.
      </p>
    );
  }
  return (
    <div className="space-y-2">
      <p role="status" className="text-xs text-zinc-600">
        {results.length} result{results.length === 1 ? "" : "s"} for “{query}”, best first.
      </p>
      <ol className="divide-y divide-zinc-200 rounded-md ring-1 ring-zinc-200" data-testid="knowledge-results">
        {results.map((hit, i) => (
          <ResultRow key={`${hit.source}:${hit.sourceId}:${hit.startLine}:${i}`} hit={hit} />
        ))}
      </ol>
    </div>
  );
}

function ResultRow({ hit }: { hit: Hit }) {
  const [expanded, setExpanded] = useState(false);
  const long = hit.text.length > EXCERPT_CHARS;
  const text = expanded || !long ? hit.text : `${hit.text.slice(0, EXCERPT_CHARS).trimEnd()}…`;
  const source = sourceLabels[hit.source] ?? { label: hit.source, tone: "zinc" as const };
  return (
    <li className="space-y-1.5 px-3 py-2.5" data-testid="knowledge-result" data-source={hit.source}>
      <div className="flex flex-wrap items-center gap-2">
        <code className="break-all text-xs font-semibold text-zinc-900" data-testid="knowledge-citation">
          {hit.citation}
        </code>
        <Badge tone={source.tone} data-testid="knowledge-source-badge">
          {source.label}
        </Badge>
      </div>
      <pre className="whitespace-pre-wrap break-words font-mono text-xs text-zinc-700" data-testid="knowledge-excerpt">
        {text}
      </pre>
      {long ? (
        <button type="button" className="text-xs font-medium text-indigo-700 hover:text-indigo-600" onClick={() => setExpanded((v) => !v)} aria-expanded={expanded}>
          {expanded ? "Show less" : "Show all"}
        </button>
      ) : null}
    </li>
  );
}
