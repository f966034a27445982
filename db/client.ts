import postgres from "postgres";
import { drizzle } from "drizzle-orm/postgres-js";
import { env, requireEnv } from "@/lib/env";
import * as schema from "./schema";

export type Database = ReturnType<typeof createDatabase>["db"];
/** A drizzle transaction handle; query functions accept `Database | Transaction`. */
export type Transaction = Parameters<Parameters<Database["transaction"]>[0]>[0];
export type DbOrTx = Database | Transaction;

/**
 * Opens a postgres.js pool and wraps it with drizzle.
 * @param url postgres:// connection string
 * @param opts.max pool size (connections)
 */
export function createDatabase(url: string, opts: { max?: number } = {}) {
  const sql = postgres(url, {
    max: opts.max ?? env.DATABASE_POOL_MAX,
    onnotice: () => {},
    // Embedded PGlite multiplexes every client onto one backend, where named prepared statements of
    // different connections would collide; unnamed statements are safe everywhere.
    prepare: false,
    connection: { application_name: "squadron" },
  });
  const db = drizzle(sql, { schema, casing: "snake_case", logger: env.DATABASE_DEBUG });
  return { sql, db };
}

type Handle = ReturnType<typeof createDatabase>;
const globalForDb = globalThis as unknown as { __squadronDb?: Handle & { url: string } };

function handle(): Handle {
  const url = requireEnv("DATABASE_URL");
  const current = globalForDb.__squadronDb;
  if (current && current.url === url) return current;
  const created = { ...createDatabase(url), url };
  globalForDb.__squadronDb = created;
  return created;
}

/** The process-wide drizzle database for `DATABASE_URL`. @throws Error when `DATABASE_URL` is unset. */
export function getDb(): Database {
  return handle().db;
}

/** The process-wide postgres.js client (for LISTEN/NOTIFY and raw SQL). */
export function getSql(): postgres.Sql {
  return handle().sql;
}

/** Closes the process-wide pool (tests, scripts). */
export async function closeDb(): Promise<void> {
  const current = globalForDb.__squadronDb;
  globalForDb.__squadronDb = undefined;
  await current?.sql.end({ timeout: 5 });
}
