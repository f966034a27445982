import type { Database } from "@/db/client";

export interface RepositoryIndexStatus {
  repositoryId: string;
  status: "idle" | "indexing" | "indexed" | "failed";
  commit: string | null;
  filesTotal: number;
  filesIndexed: number;
  chunks: number;
  embedder: string | null;
  error: string | null;
  updatedAt: Date;
}

/** Lists the repository's files at HEAD with blob ids, deletes chunks of removed files, records the total. */
export async function planRepositoryIndex(
  db: Database,
  input: { organizationId: string; repositoryId: string },
): Promise<{ commit: string; batches: number; filesTotal: number }> {
  void db;
  void input;
  throw new Error("not yet");
}

/** Indexes batch `batch` of the plan at `commit`; files whose blob id is already indexed are skipped. */
export async function indexRepositoryBatch(
  db: Database,
  input: { organizationId: string; repositoryId: string; commit: string; batch: number },
): Promise<{ filesIndexed: number; filesSkipped: number; chunks: number }> {
  void db;
  void input;
  throw new Error("not yet");
}

/** Plans and runs every batch in-process (the Inngest function does the same one step per batch). */
export async function indexRepository(db: Database, input: { organizationId: string; repositoryId: string }) {
  void db;
  void input;
  throw new Error("not yet");
}

/** The repository's index progress (files indexed / total), or null before its first index. */
export async function getRepositoryIndexStatus(
  db: Database,
  input: { organizationId: string; repositoryId: string },
): Promise<RepositoryIndexStatus | null> {
  void db;
  void input;
  throw new Error("not yet");
}
