import { EventEmitter } from "node:events";
import type postgres from "postgres";

/** Postgres channel on which every appended task event is announced (payload: the task id). */
export const TASK_EVENTS_CHANNEL = "squadron_task_events";

type Bus = { emitter: EventEmitter; listening?: Promise<void> };
const globalForBus = globalThis as unknown as { __squadronTaskEventBus?: Bus };

function bus(): Bus {
  if (!globalForBus.__squadronTaskEventBus) {
    const emitter = new EventEmitter();
    emitter.setMaxListeners(0); // one listener per open SSE stream
    globalForBus.__squadronTaskEventBus = { emitter };
  }
  return globalForBus.__squadronTaskEventBus;
}

/** Wakes every stream of `taskId` in this process. */
export function wakeTask(taskId: string): void {
  bus().emitter.emit(taskId);
}

/**
 * Subscribes to wake-ups for a task: in-process ones, and (once per process) Postgres NOTIFY from other
 * instances. PGlite behind pglite-socket does not deliver NOTIFY across connections, so streams also
 * poll; a failed LISTEN only costs latency.
 * @returns an unsubscribe function
 */
export function onTaskWake(sql: postgres.Sql, taskId: string, listener: () => void): () => void {
  const b = bus();
  b.listening ??= sql
    .listen(TASK_EVENTS_CHANNEL, (payload) => b.emitter.emit(payload))
    .then(() => undefined)
    .catch((error: unknown) => {
      console.warn("[events] LISTEN unavailable, streams fall back to polling:", error);
    });
  b.emitter.on(taskId, listener);
  return () => b.emitter.off(taskId, listener);
}
