import { sql } from "drizzle-orm";
import type { Database, Transaction } from "./client";

/**
 * The transaction-local setting that names the organization row-level security lets through
 * (`current_setting('squadron.organization_id', true)` in every `tenant_isolation` policy,
 * migration `0006_tenant_rls`).
 */
export const TENANT_SETTING = "squadron.organization_id";

/** The NOLOGIN role tenant code runs as; RLS policies apply to it (the owner connection bypasses them). */
export const TENANT_ROLE = "squadron_tenant";

/**
 * Runs `fn` in a transaction that row-level security confines to one organization: it first sets
 * `squadron.organization_id` (transaction-local, `set_config(…, true)`) and `SET LOCAL ROLE squadron_tenant`,
 * so every query in `fn(tx)` sees and writes only that organization's rows, even one that forgets
 * its `organization_id` filter. Both settings end with the transaction; the pooled connection goes
 * back to the owner role unchanged.
 *
 * Keep using the tenant-scoped queries of `db/queries` (with the organization) inside: RLS is the
 * second wall, not the first. Pass `tx` (never the outer `db`) to everything inside `fn`. Do not call
 * it inside another transaction (`SET LOCAL` would outlive a savepoint and leak into the rest of it).
 *
 * As `squadron_tenant`, only the domain tables (those with `organization_id`) are writable; better-auth's
 * `organization`, `member` and `user` are readable (own organization, its members) and every other
 * table (session, account, apikey, rate_limit_counters…) is off limits.
 *
 * @example
 *   const task = await withTenant(db, organizationId, (tx) => findTask(tx, { organizationId, taskId }));
 * @param db the process-wide database (`getDb()`), connected as the owner
 * @param organizationId the caller's organization id (non-empty)
 * @returns what `fn` returns; the transaction commits when it resolves and rolls back when it throws
 * @throws TypeError when `organizationId` is empty; whatever `fn` throws (after rollback); PostgreSQL
 *   errors with code `42501` for a write RLS refuses (`new row violates row-level security policy`,
 *   e.g. a row of another organization) or a table the role has no grant on (`permission denied`)
 */
export async function withTenant<T>(db: Database, organizationId: string, fn: (tx: Transaction) => Promise<T>): Promise<T> {
  if (typeof organizationId !== "string" || organizationId.length === 0) {
    throw new TypeError("withTenant needs a non-empty organizationId");
  }
  return db.transaction(async (tx) => {
    await tx.execute(sql`select set_config(${TENANT_SETTING}, ${organizationId}, true)`);
    await tx.execute(sql.raw(`set local role ${TENANT_ROLE}`));
    return fn(tx);
  });
}
