import type postgres from "postgres";
import type { Database } from "@/db/client";
import { listTaskEvents, type TaskEventRow } from "@/db/queries/tasks";
import { componentLogger } from "@/lib/observability/logger";
import { trackSseClient } from "@/lib/observability/metrics";
import { onTaskWake } from "./bus";

/** Interval of the cursor poll that backs up wake-ups (ms). */
export const STREAM_POLL_INTERVAL_MS = 1_000;
/** Interval of the SSE comment heartbeat that keeps proxies from closing idle streams (ms). */
export const STREAM_HEARTBEAT_MS = 15_000;

/** The JSON sent as `data:` for each task event. */
export function serializeTaskEvent(e: TaskEventRow) {
  return {
    id: e.id,
    taskId: e.taskId,
    type: e.type,
    actor: e.actor,
    message: e.message,
    data: e.data ?? {},
    createdAt: e.createdAt.toISOString(),
  };
}

/**
 * An SSE body streaming a task's events after `afterId`: `id:` is the event id, `data:` its JSON.
 * Wakes on appends in this process and on NOTIFY, polls every {@link STREAM_POLL_INTERVAL_MS} as the
 * floor, and sends a `: heartbeat` comment every {@link STREAM_HEARTBEAT_MS}. Ends when `signal` aborts.
 * The caller must already have checked that the task belongs to `organizationId`.
 */
export function taskEventStream(
  db: Database,
  sql: postgres.Sql,
  q: { organizationId: string; taskId: string; afterId: number; signal: AbortSignal },
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let cursor = q.afterId;
  let closed = false;
  let wake: (() => void) | null = null;
  // Set by every wake-up so one that lands while a query runs is not lost.
  let pending = false;
  const cleanups: (() => void)[] = [];
  // `squadron_sse_clients`: +1 when the stream starts, -1 once when it closes or is cancelled.
  let counted = false;
  const uncount = () => {
    if (counted) trackSseClient(-1);
    counted = false;
  };

  return new ReadableStream<Uint8Array>({
    start(controller) {
      trackSseClient(1);
      counted = true;
      cleanups.push(uncount);
      const send = (text: string) => {
        if (!closed) controller.enqueue(encoder.encode(text));
      };
      const close = () => {
        if (closed) return;
        closed = true;
        for (const c of cleanups) c();
        wake?.();
        try {
          controller.close();
        } catch {
          // already closed by the runtime
        }
      };
      q.signal.addEventListener("abort", close, { once: true });
      cleanups.push(
        onTaskWake(sql, q.taskId, () => {
          pending = true;
          wake?.();
        }),
      );
      const heartbeat = setInterval(() => send(": heartbeat\n\n"), STREAM_HEARTBEAT_MS);
      cleanups.push(() => clearInterval(heartbeat));

      send("retry: 2000\n\n");
      void (async () => {
        try {
          while (!closed) {
            pending = false;
            const rows = await listTaskEvents(db, {
              organizationId: q.organizationId,
              taskId: q.taskId,
              afterId: cursor,
              limit: 500,
            });
            for (const row of rows) {
              send(`id: ${row.id}\ndata: ${JSON.stringify(serializeTaskEvent(row))}\n\n`);
              cursor = row.id;
            }
            if (rows.length === 500 || pending) continue;
            await new Promise<void>((resolve) => {
              const timer = setTimeout(resolve, STREAM_POLL_INTERVAL_MS);
              wake = () => {
                clearTimeout(timer);
                resolve();
              };
            });
            wake = null;
          }
        } catch (error) {
          if (!closed) {
            componentLogger("events").error({ err: error, taskId: q.taskId, organizationId: q.organizationId }, "task event stream failed");
            send(`event: error\ndata: ${JSON.stringify({ message: "stream interrupted; reconnecting" })}\n\n`);
            close();
          }
        }
      })();
    },
    cancel() {
      closed = true;
      for (const c of cleanups) c();
      wake?.();
    },
  });
}
