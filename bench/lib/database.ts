/** A throwaway database per benchmark run: PGlite persisted to a temp folder, or a new database on the server. */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import postgres from "postgres";
import { startEmbeddedPostgres } from "@/db/embedded";
import { onShutdown, postgresAdminUrl, type Backend } from "./common";

export type BenchDatabase = { kind: Backend; url: string; stop(): Promise<void> };

/**
 * PGlite: persisted under a temp folder (as `npm start` persists under `.data/pglite`), served on
 * loopback by pglite-socket in this process. PostgreSQL: `create database squadron_bench_<random>` on
 * the server at BENCH_POSTGRES_URL, dropped again by `stop()`.
 */
export async function createBenchDatabase(kind: Backend): Promise<BenchDatabase> {
  if (kind === "pglite") {
    const dir = mkdtempSync(path.join(tmpdir(), "squadron-bench-pglite-"));
    const embedded = await startEmbeddedPostgres({ dataDir: dir });
    return {
      kind,
      url: embedded.url,
      async stop() {
        await embedded.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const { url, drop } = await createServerDatabase();
  return { kind, url, stop: drop };
}

/** Creates `squadron_bench_<random>` on the PostgreSQL server; `drop()` removes it. */
export async function createServerDatabase(): Promise<{ name: string; url: string; drop(): Promise<void> }> {
  const adminUrl = postgresAdminUrl();
  const name = `squadron_bench_${randomBytes(5).toString("hex")}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`create database ${name}`);
  } finally {
    await admin.end({ timeout: 5 });
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  let dropped = false;
  const drop = async () => {
    if (dropped) return;
    dropped = true;
    unregister();
    const a = postgres(adminUrl, { max: 1, onnotice: () => {} });
    try {
      await a.unsafe(`drop database if exists ${name} with (force)`);
    } finally {
      await a.end({ timeout: 5 });
    }
  };
  const unregister = onShutdown(drop);
  return { name, url: url.toString(), drop };
}
