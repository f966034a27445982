"use client";

import { useEffect, useRef, useState } from "react";
import { taskEventSchema, type TaskEvent } from "./api";
import { isTerminalStatus } from "./status";

export type StreamState = "connecting" | "open" | "reconnecting" | "closed" | "done";

/** Once a terminal status arrives, keep listening this long for stragglers, then hang up (ms). */
const TERMINAL_GRACE_MS = 3_000;

/**
 * Subscribes to `GET /api/v1/tasks/{id}/events` with `EventSource` while `enabled`. The browser
 * resumes with `Last-Event-ID` after a drop (a manual `reconnect` passes `?after=<last id>`), and
 * events are de-duplicated by id, so the timeline
 * neither misses nor repeats an event. Unparseable events are skipped.
 *
 * `onEvent` is called for every new event (the latest callback is used; no resubscribe).
 * @returns the events so far, in id order, and the stream's state: `done` after a terminal status,
 *   `closed` when the server refused the stream (the browser does not retry then; call `reconnect`).
 */
export function useTaskEvents(
  taskId: string,
  { enabled, onEvent }: { enabled: boolean; onEvent?: (event: TaskEvent) => void },
) {
  const [events, setEvents] = useState<TaskEvent[]>([]);
  const [state, setState] = useState<StreamState>("connecting");
  const [attempt, setAttempt] = useState(0);
  const onEventRef = useRef(onEvent);
  useEffect(() => {
    onEventRef.current = onEvent;
  }, [onEvent]);
  const seen = useRef(new Set<string>());
  const lastId = useRef<string | undefined>(undefined);

  useEffect(() => {
    if (!enabled) return;
    // A fresh EventSource sends no Last-Event-ID, so a manual reconnect says where to resume itself.
    const after = lastId.current && /^\d+$/.test(lastId.current) ? `?after=${lastId.current}` : "";
    const source = new EventSource(`/api/v1/tasks/${encodeURIComponent(taskId)}/events${after}`);
    let graceTimer: ReturnType<typeof setTimeout> | undefined;
    setState("connecting");

    source.onopen = () => setState((s) => (s === "done" ? s : "open"));
    source.onerror = () => {
      // CLOSED means the browser gave up (HTTP error or wrong content type); CONNECTING means it retries.
      setState((s) => (s === "done" ? s : source.readyState === EventSource.CLOSED ? "closed" : "reconnecting"));
    };
    source.onmessage = (message: MessageEvent<string>) => {
      let json: unknown;
      try {
        json = JSON.parse(message.data);
      } catch {
        return;
      }
      const parsed = taskEventSchema.safeParse(json);
      if (!parsed.success) return;
      const event = parsed.data;
      if (seen.current.has(event.id)) return;
      seen.current.add(event.id);
      lastId.current = event.id;
      setEvents((prev) => [...prev, event]);
      onEventRef.current?.(event);
      const status = event.type === "status" ? event.data?.status : undefined;
      if (typeof status === "string" && !isTerminalStatus(status) && graceTimer !== undefined) {
        // The task moved on after ending (a retry): keep listening.
        clearTimeout(graceTimer);
        graceTimer = undefined;
      }
      if (typeof status === "string" && isTerminalStatus(status) && graceTimer === undefined) {
        graceTimer = setTimeout(() => {
          source.close();
          setState("done");
        }, TERMINAL_GRACE_MS);
      }
    };

    return () => {
      clearTimeout(graceTimer);
      source.close();
    };
  }, [taskId, enabled, attempt]);

  return { events, state, reconnect: () => setAttempt((n) => n + 1) };
}
