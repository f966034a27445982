"use client";

import { useCallback, useEffect, useState } from "react";
import { z } from "zod";
import { ApiError, apiFetch } from "@/components/tasks/api";
import { Button } from "@/components/ui/button";
import { Spinner } from "@/components/ui/spinner";

const indexSchema = z.object({
  status: z.enum(["indexing", "indexed", "failed"]),
  commit: z.string().nullable(),
  filesTotal: z.number(),
  filesIndexed: z.number(),
  filesSkipped: z.number(),
  chunks: z.number(),
  embedder: z.string().nullable(),
  store: z.string().nullable(),
  error: z.string().nullable(),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
});
const indexResponseSchema = z.object({ index: indexSchema.nullable() });

/** A repository's code index as `GET /api/v1/repositories/{id}/index` returns it. */
export type RepositoryIndexView = z.infer<typeof indexSchema>;

/** How often the row looks again while an index run is in progress (ms). */
const POLL_MS = 2_000;
/** How long after registration a repository without an index is assumed to have its first run queued (ms). */
const AUTO_INDEX_WINDOW_MS = 2 * 60_000;

const storeLabels: Record<string, string> = { pgvector: "pgvector", pinecone: "Pinecone", "fulltext-only": "full text only" };

/**
 * The knowledge index line of a repository row: progress (files indexed / total) while a run is in
 * progress, refreshed every 2 s; chunks, store and embedder once indexed; the error when it failed;
 * "Index now" for people who may manage repositories.
 */
export function RepositoryIndexStatus({
  repositoryId,
  initial,
  canManage,
  createdAt,
}: {
  repositoryId: string;
  initial: RepositoryIndexView | null;
  canManage: boolean;
  /** ISO-8601; a repository registered in the last {@link AUTO_INDEX_WINDOW_MS} without an index yet is polled (its first run is queued). */
  createdAt: string;
}) {
  const [index, setIndex] = useState<RepositoryIndexView | null>(initial);
  // After "Index now": the start time of the run seen when asking (`""`: none yet); cleared once a newer run ended.
  const [waitingAfter, setWaitingAfter] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const url = `/api/v1/repositories/${encodeURIComponent(repositoryId)}/index`;

  const refresh = useCallback(async () => {
    try {
      const res = await apiFetch(url, indexResponseSchema);
      setIndex(res.index);
      setError(null);
      setWaitingAfter((since) => (since !== null && res.index && res.index.status !== "indexing" && res.index.startedAt !== since ? null : since));
    } catch (e) {
      setError(e instanceof ApiError ? e.message : "Couldn't read the index status.");
    }
  }, [url]);

  const [justRegistered] = useState(() => Date.now() - Date.parse(createdAt) < AUTO_INDEX_WINDOW_MS);
  const inProgress = index?.status === "indexing" || waitingAfter !== null || (index === null && justRegistered);
  useEffect(() => {
    if (!inProgress) return;
    const timer = setInterval(() => void refresh(), POLL_MS);
    return () => clearInterval(timer);
  }, [inProgress, refresh]);

  const indexNow = async () => {
    setError(null);
    setWaitingAfter(index?.startedAt ?? "");
    try {
      const res = await apiFetch(url, indexResponseSchema, { method: "POST" });
      setIndex(res.index);
    } catch (e) {
      setWaitingAfter(null);
      setError(e instanceof ApiError ? e.message : "Couldn't start indexing.");
    }
  };

  let text: string;
  if (!index) text = waitingAfter !== null || inProgress ? "Indexing requested…" : "Not indexed yet";
  else if (waitingAfter !== null && index.status !== "indexing") text = "Indexing requested…";
  else if (index.status === "indexing") text = `Indexing: ${index.filesIndexed} / ${index.filesTotal} files`;
  else if (index.status === "failed") text = `Indexing failed: ${index.error ?? "unknown error"}`;
  else {
    const store = index.store ? storeLabels[index.store] ?? index.store : null;
    text = `Indexed ${index.filesTotal} files, ${index.chunks} chunks${index.commit ? ` at ${index.commit.slice(0, 7)}` : ""}${store ? ` · ${store}` : ""}${index.embedder ? ` · ${index.embedder}` : ""}`;
  }

  return (
    <div className="flex flex-wrap items-center gap-2 text-xs" data-testid="repository-index">
      <span className="text-zinc-600">Knowledge index</span>
      <span
        className={index?.status === "failed" ? "text-red-700" : "text-zinc-800"}
        data-testid="repository-index-status"
        data-status={index?.status ?? "none"}
        aria-live="polite"
      >
        {inProgress ? <Spinner /> : null} {text}
      </span>
      {/* A first run is only assumed queued for a just-registered repository (the bundled example is not
          queued at sign-up): keep "Index now" at hand unless the person asked already. */}
      {canManage && (!inProgress || (index === null && waitingAfter === null)) ? (
        <Button size="sm" variant="secondary" onClick={() => void indexNow()}>
          Index now
        </Button>
      ) : null}
      {error ? <span className="text-red-700">{error}</span> : null}
    </div>
  );
}
