import { existsSync } from "node:fs";
import { and, eq, sql } from "drizzle-orm";
import type { Database, DbOrTx } from "@/db/client";
import { findRepository } from "@/db/queries/squads";
import { knowledgeChunks, knowledgeIndexRuns } from "@/db/schema";
import { inngest } from "@/inngest/client";
import { knowledgeRepositoryIndexRequested } from "@/inngest/events";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { githubWorkspacePath, syncGithubWorkspace } from "@/lib/integrations/github/workspace";
import { exampleRepositoryPath } from "@/lib/squads/default-squad";
import { ensureExampleRepository } from "@/lib/workspace/example-repository";
import { git } from "@/lib/workspace/git";
import { resolveBase } from "@/lib/workspace/worktree";
import { chunkFile, languageForPath } from "./chunking";
import { activeEmbedder } from "./embeddings";
import { deleteBySource, indexChunks } from "./index-chunks";
import { vectorStoreFor } from "./stores";

/** A repository's code index as the repository page and the API show it. Dates are ISO-8601 strings. */
export interface RepositoryIndexStatus {
  repositoryId: string;
  status: "indexing" | "indexed" | "failed";
  /** The commit being (or last) indexed. */
  commit: string | null;
  /** Indexable files at that commit. */
  filesTotal: number;
  /** Files done so far in this run: re-chunked, or skipped because their git blob was already indexed. */
  filesIndexed: number;
  /** Of those, files whose blob was already indexed (not re-embedded); final once `status` is `indexed`. */
  filesSkipped: number;
  /** Code chunks of the repository in the index now. */
  chunks: number;
  embedder: string | null;
  store: string | null;
  error: string | null;
  startedAt: string;
  finishedAt: string | null;
}

/** Files per batch: one Inngest step each (embedding ~20 files of chunks is well inside a step's time). */
export const INDEX_BATCH_FILES = 20;
/** Files larger than this (bytes) are not indexed: generated or data files, rarely worth retrieving. */
export const MAX_INDEXED_FILE_BYTES = 256 * 1024;

/** Folders whose files are dependencies or build output, never indexed. */
const SKIPPED_FOLDER = /(^|\/)(node_modules|vendor|dist|build|out|coverage|target|\.next|\.git|__pycache__|\.venv)\//;
/** Lock files and minified bundles. */
const SKIPPED_FILE = /(^|\/)(package-lock\.json|npm-shrinkwrap\.json|yarn\.lock|pnpm-lock\.yaml|Cargo\.lock|poetry\.lock|Gemfile\.lock|composer\.lock|go\.sum)$|\.min\.(js|css)$|\.map$/;
/** Extension-less or text files worth indexing even though `languageForPath` calls them `text`. */
const TEXT_FILE = /(^|\/)(README|CONTRIBUTING|CHANGELOG|LICENSE|Makefile|Dockerfile)[^/]*$|\.(txt|rst|adoc)$/i;

/** One indexable file at a commit: its path and git blob id. */
type TreeFile = { path: string; blobId: string; size: number };

/** Whether a repository-relative path is source or documentation Squadron indexes. */
export function isIndexablePath(file: string): boolean {
  if (SKIPPED_FOLDER.test(file) || SKIPPED_FILE.test(file)) return false;
  return languageForPath(file) !== "text" || TEXT_FILE.test(file);
}

/**
 * The repository's checkout to read from: the local path (the bundled example materialised when
 * missing) or, for a GitHub-only repository, its cached clone — fetched first when `sync` is true.
 * @throws AppError `not_found` when the repository does not exist in the organization or its folder is gone
 */
async function checkoutOf(db: DbOrTx, input: { organizationId: string; repositoryId: string }, sync: boolean) {
  const repo = await findRepository(db, input);
  if (!repo) throw new AppError("not_found", "Repository not found");
  let repoPath: string;
  if (repo.localPath) {
    repoPath = repo.localPath === exampleRepositoryPath() ? await ensureExampleRepository(env.DATA_DIR) : repo.localPath;
  } else if (repo.githubFullName) {
    repoPath = sync
      ? await syncGithubWorkspace({ organizationId: repo.organizationId, id: repo.id, githubFullName: repo.githubFullName, defaultBranch: repo.defaultBranch })
      : githubWorkspacePath(repo.id);
  } else {
    throw new AppError("invalid_input", `Repository ${repo.name} has neither a local path nor a GitHub repository to index`);
  }
  if (!existsSync(repoPath)) throw new AppError("not_found", `Repository folder ${repoPath} does not exist`);
  return { repo, repoPath };
}

/** Indexable files at `commit`, sorted by path (`git ls-tree -r --long`: regular files only, no symlinks or submodules). */
async function filesAt(repoPath: string, commit: string): Promise<TreeFile[]> {
  const { stdout } = await git(repoPath, ["ls-tree", "-r", "-z", "--long", commit]);
  const files: TreeFile[] = [];
  for (const entry of stdout.split("\0")) {
    const tab = entry.indexOf("\t");
    if (tab < 0) continue;
    const [mode, type, blobId, size] = entry.slice(0, tab).trim().split(/\s+/);
    const file = entry.slice(tab + 1);
    if (type !== "blob" || (mode !== "100644" && mode !== "100755") || !blobId) continue;
    const bytes = Number(size);
    if (!Number.isFinite(bytes) || bytes > MAX_INDEXED_FILE_BYTES || !isIndexablePath(file)) continue;
    files.push({ path: file, blobId, size: bytes });
  }
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** `path → blob ids` of the repository's code chunks in the index now. */
async function indexedBlobs(db: DbOrTx, input: { organizationId: string; repositoryId: string }): Promise<Map<string, Set<string>>> {
  const rows = await db
    .selectDistinct({ path: knowledgeChunks.sourceId, blobId: knowledgeChunks.blobId })
    .from(knowledgeChunks)
    .where(
      and(
        eq(knowledgeChunks.organizationId, input.organizationId),
        eq(knowledgeChunks.repositoryId, input.repositoryId),
        eq(knowledgeChunks.source, "code"),
      ),
    );
  const byPath = new Map<string, Set<string>>();
  for (const r of rows) {
    const set = byPath.get(r.path) ?? new Set<string>();
    if (r.blobId) set.add(r.blobId);
    byPath.set(r.path, set);
  }
  return byPath;
}

async function codeChunkCount(db: DbOrTx, input: { organizationId: string; repositoryId: string }): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(knowledgeChunks)
    .where(
      and(
        eq(knowledgeChunks.organizationId, input.organizationId),
        eq(knowledgeChunks.repositoryId, input.repositoryId),
        eq(knowledgeChunks.source, "code"),
      ),
    );
  return Number(row?.n ?? 0);
}

/**
 * Step 1 of indexing a repository: resolves the commit to index (the default branch's head; a GitHub
 * repository's clone is fetched first), lists its indexable files with their git blob ids, deletes
 * the chunks of files that no longer exist, and records a run (`knowledge_index_runs`: `indexing`,
 * files total) for the repository page.
 * @returns the commit, the number of batches of {@link INDEX_BATCH_FILES} files, and the file total
 * @throws AppError `not_found` for an unknown repository or a missing folder; git's error when the repository cannot be read
 */
export async function planRepositoryIndex(
  db: Database,
  input: { organizationId: string; repositoryId: string },
): Promise<{ commit: string; batches: number; filesTotal: number }> {
  const { repo, repoPath } = await checkoutOf(db, input, true);
  const { commit } = await resolveBase(repoPath, repo.defaultBranch);
  const files = await filesAt(repoPath, commit);
  const present = new Set(files.map((f) => f.path));
  for (const indexedPath of (await indexedBlobs(db, input)).keys()) {
    if (!present.has(indexedPath)) await deleteBySource(db, { ...input, source: "code", sourceId: indexedPath });
  }
  const store = await vectorStoreFor(db);
  const values = {
    organizationId: input.organizationId,
    status: "indexing" as const,
    commit,
    filesTotal: files.length,
    filesIndexed: 0,
    filesSkipped: 0,
    chunks: await codeChunkCount(db, input),
    embedder: store.kind === "fulltext-only" ? null : activeEmbedder().name,
    store: store.kind,
    error: null,
    startedAt: new Date(),
    finishedAt: null,
    updatedAt: new Date(),
  };
  await db
    .insert(knowledgeIndexRuns)
    .values({ repositoryId: input.repositoryId, ...values })
    .onConflictDoUpdate({ target: knowledgeIndexRuns.repositoryId, set: values });
  return { commit, batches: Math.ceil(files.length / INDEX_BATCH_FILES), filesTotal: files.length };
}

/**
 * Step 2, once per batch: indexes files `[batch × 20, batch × 20 + 20)` of the commit's sorted file
 * list. A file whose blob id is already indexed is skipped (not re-embedded); others are chunked
 * along syntax (`chunkFile`) and replace that file's chunks. Binary-looking files are skipped.
 * Idempotent: a retried batch finds its files indexed and skips them; progress is written as
 * "files done = end of this batch", never added up twice.
 * @returns `filesIndexed` (re-chunked), `filesSkipped` (unchanged or binary), `chunks` written
 */
export async function indexRepositoryBatch(
  db: Database,
  input: { organizationId: string; repositoryId: string; commit: string; batch: number },
): Promise<{ filesIndexed: number; filesSkipped: number; chunks: number }> {
  const scope = { organizationId: input.organizationId, repositoryId: input.repositoryId };
  const { repoPath } = await checkoutOf(db, scope, false);
  const files = await filesAt(repoPath, input.commit);
  const slice = files.slice(input.batch * INDEX_BATCH_FILES, (input.batch + 1) * INDEX_BATCH_FILES);
  const indexed = await indexedBlobs(db, scope);
  let filesIndexed = 0;
  let filesSkipped = 0;
  let chunks = 0;
  for (const file of slice) {
    if (indexed.get(file.path)?.has(file.blobId)) {
      filesSkipped += 1;
      continue;
    }
    const { stdout: content } = await git(repoPath, ["cat-file", "blob", file.blobId]);
    if (content.includes("\u0000") || content.includes("\uFFFD")) {
      filesSkipped += 1;
      continue;
    }
    const fileChunks = await chunkFile(file.path, content);
    await indexChunks(db, {
      ...scope,
      source: "code",
      sourceId: file.path,
      chunks: fileChunks.map((c) => ({ ...c, commit: input.commit, blobId: file.blobId })),
    });
    filesIndexed += 1;
    chunks += fileChunks.length;
  }
  await db
    .update(knowledgeIndexRuns)
    .set({
      filesIndexed: Math.min(files.length, (input.batch + 1) * INDEX_BATCH_FILES),
      chunks: await codeChunkCount(db, scope),
      updatedAt: new Date(),
    })
    .where(and(eq(knowledgeIndexRuns.organizationId, input.organizationId), eq(knowledgeIndexRuns.repositoryId, input.repositoryId)));
  return { filesIndexed, filesSkipped, chunks };
}

/** Step 3: marks the run `indexed` with the final counts. */
export async function finishRepositoryIndex(
  db: Database,
  input: { organizationId: string; repositoryId: string; commit: string; filesSkipped: number },
): Promise<RepositoryIndexStatus | null> {
  const scope = { organizationId: input.organizationId, repositoryId: input.repositoryId };
  await db
    .update(knowledgeIndexRuns)
    .set({
      status: "indexed",
      filesIndexed: sql`${knowledgeIndexRuns.filesTotal}`,
      filesSkipped: input.filesSkipped,
      chunks: await codeChunkCount(db, scope),
      error: null,
      finishedAt: new Date(),
      updatedAt: new Date(),
    })
    .where(and(eq(knowledgeIndexRuns.organizationId, input.organizationId), eq(knowledgeIndexRuns.repositoryId, input.repositoryId)));
  return getRepositoryIndexStatus(db, scope);
}

/** Marks the repository's run `failed` with the error (cut to 1,000 characters); no row: nothing to mark. */
export async function failRepositoryIndex(db: Database, input: { organizationId: string; repositoryId: string; error: string }): Promise<void> {
  await db
    .update(knowledgeIndexRuns)
    .set({ status: "failed", error: input.error.slice(0, 1_000), finishedAt: new Date(), updatedAt: new Date() })
    .where(and(eq(knowledgeIndexRuns.organizationId, input.organizationId), eq(knowledgeIndexRuns.repositoryId, input.repositoryId)));
}

/**
 * Plans and runs every batch in-process (the `index-repository` Inngest function does the same, one
 * durable step per batch). A failure marks the run `failed` and is rethrown.
 * @returns the final status
 */
export async function indexRepository(db: Database, input: { organizationId: string; repositoryId: string }): Promise<RepositoryIndexStatus | null> {
  try {
    const plan = await planRepositoryIndex(db, input);
    let filesSkipped = 0;
    for (let batch = 0; batch < plan.batches; batch++) {
      filesSkipped += (await indexRepositoryBatch(db, { ...input, commit: plan.commit, batch })).filesSkipped;
    }
    return await finishRepositoryIndex(db, { ...input, commit: plan.commit, filesSkipped });
  } catch (error) {
    await failRepositoryIndex(db, { ...input, error: error instanceof Error ? error.message : String(error) }).catch(() => {});
    throw error;
  }
}

/** The repository's index progress (files indexed / total), or null before its first index. */
export async function getRepositoryIndexStatus(
  db: DbOrTx,
  input: { organizationId: string; repositoryId: string },
): Promise<RepositoryIndexStatus | null> {
  const [row] = await db
    .select()
    .from(knowledgeIndexRuns)
    .where(and(eq(knowledgeIndexRuns.organizationId, input.organizationId), eq(knowledgeIndexRuns.repositoryId, input.repositoryId)))
    .limit(1);
  if (!row) return null;
  return {
    repositoryId: row.repositoryId,
    status: row.status,
    commit: row.commit,
    filesTotal: row.filesTotal,
    filesIndexed: row.filesIndexed,
    filesSkipped: row.filesSkipped,
    chunks: row.chunks,
    embedder: row.embedder,
    store: row.store,
    error: row.error,
    startedAt: row.startedAt.toISOString(),
    finishedAt: row.finishedAt?.toISOString() ?? null,
  };
}


/**
 * Asks for the repository to be indexed (`knowledge/repository.index-requested`; the
 * `index-repository` function does the work). Answers the status as it is now: a run already in
 * progress continues, and the requested one follows it (one run per repository at a time).
 * @throws AppError `not_found` when the repository is not the organization's; `unavailable` when the
 *   workflow engine cannot be reached (nothing else changes)
 */
export async function requestRepositoryIndex(
  db: DbOrTx,
  input: { organizationId: string; repositoryId: string; reason: "registered" | "task_completed" | "requested" },
): Promise<RepositoryIndexStatus | null> {
  if (!(await findRepository(db, input))) throw new AppError("not_found", "Repository not found");
  try {
    await inngest.send(knowledgeRepositoryIndexRequested.create(input));
  } catch (error) {
    throw new AppError("unavailable", `The workflow engine could not be reached to index the repository: ${error instanceof Error ? error.message : String(error)}`);
  }
  return getRepositoryIndexStatus(db, input);
}
