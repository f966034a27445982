/**
 * The local Inngest executor as a child process of `npm run soak` (like `inngest/local/cli.ts serve`,
 * plus the lease setting the CLI does not expose): on a fixed loopback port, calling the app at
 * `INNGEST_LOCAL_APP_URL`. The soak SIGKILLs it and starts a new one on the same port.
 *
 *   node --import tsx scripts/soak-executor.ts
 *
 * Environment: `DATABASE_URL`, `INNGEST_LOCAL_APP_URL`, `INNGEST_LOCAL_PORT`, `SOAK_LEASE_MS` (how long
 * a dead executor's claimed work waits before a new one takes it, default 3000),
 * `INNGEST_LOCAL_RETRY_BASE_MS` (default 2000). Prints `READY {"url","pid"}` once listening (it syncs
 * the app in the background and calls it only once synced).
 */
import { startLocalExecutor } from "../inngest/local";

const databaseUrl = process.env.DATABASE_URL;
const appUrl = process.env.INNGEST_LOCAL_APP_URL;
if (!databaseUrl || !appUrl) {
  console.error("soak-executor: DATABASE_URL and INNGEST_LOCAL_APP_URL are required");
  process.exit(2);
}
const executor = await startLocalExecutor({
  databaseUrl,
  appUrl,
  port: Number(process.env.INNGEST_LOCAL_PORT ?? 0),
  retryBaseDelayMs: Number(process.env.INNGEST_LOCAL_RETRY_BASE_MS ?? 2_000),
  leaseMs: Number(process.env.SOAK_LEASE_MS ?? 3_000),
  syncOnStart: true,
  log: (m) => console.log(`[executor ${process.pid}] ${m}`),
});
console.log(`READY ${JSON.stringify({ url: executor.url, pid: process.pid })}`);
process.on("SIGTERM", () => {
  void executor.stop({ drainMs: 2_000 }).finally(() => process.exit(0));
});
