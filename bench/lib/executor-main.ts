/**
 * The local Inngest executor in accept-only mode, as its own process: it stores every event the app
 * sends (as the real executor does: events, dedupe ids) but the app is never synced, so no function
 * is registered and no run starts. Used by the API and webhook benchmarks so `POST /api/v1/tasks` and
 * accepted webhooks pay the real cost of `inngest.send` without workflows competing for the machine.
 *
 * env: BENCH_EXECUTOR_DB (postgres URL), BENCH_EXECUTOR_PORT, BENCH_APP_URL. Prints "ready <url>".
 */
import { startLocalExecutor } from "@/inngest/local";

const executor = await startLocalExecutor({
  databaseUrl: process.env.BENCH_EXECUTOR_DB ?? "",
  appUrl: process.env.BENCH_APP_URL ?? "",
  port: Number(process.env.BENCH_EXECUTOR_PORT ?? 0),
  syncOnStart: false,
  log: () => {},
});
console.log(`ready ${executor.url}`);
let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  void executor.stop().finally(() => process.exit(0));
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
setTimeout(stop, 15 * 60_000).unref(); // bounded
